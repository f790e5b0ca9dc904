import { LIMITS } from '../../chat/protocol.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cleanName } from '../../chat/names.js';
import { ROLES, type Role } from '../../contracts/chatFrames.js';
import { MAX_TOKEN_TTL_S, signRoomToken } from '../../chat/tokens.js';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

interface TokenBody {
  user: string;
  name?: string;
  role: Role;
  ttl?: number;
  globalModerator?: boolean;
}

const DEFAULT_TTL_S = 3600;

const tokenSchema = {
  body: {
    type: 'object',
    required: ['user', 'role'],
    additionalProperties: false,
    properties: {
      user: { type: 'string', minLength: 1, maxLength: LIMITS.maxUserId },
      name: { type: 'string', minLength: 1, maxLength: LIMITS.maxNameInput },
      role: { type: 'string', enum: ROLES },
      ttl: { type: 'integer', minimum: 1, maximum: MAX_TOKEN_TTL_S },
      globalModerator: { type: 'boolean' },
    },
  },
} as const;

/**
 * `POST /api/v1/room/:name/token`: a join token for a site's user in an existing room: an HS256 JWT
 * signed with the token key (TOKEN_SECRET, or derived from KEY), bound to the room's epoch.
 * `globalModerator` (moderators only) lets the token ban in every room; only KEY holders mint it.
 */
export function registerTokenRoutes(app: FastifyInstance, ctx: AppContext, requireKey: Guard): void {
  app.post<{ Params: { name: string }; Body: TokenBody }>(
    '/api/v1/room/:name/token',
    { onRequest: requireKey, schema: tokenSchema },
    async (request) => {
      const room = parseRoomName(request.params.name);
      const entry = ctx.rooms.get(room);
      if (!entry) throw new ApiError('ROOM_NOT_FOUND');
      const { user, role, globalModerator } = request.body;
      if (globalModerator && role !== 'moderator') throw new ApiError('BAD_REQUEST', 'globalModerator needs role moderator');
      const name = cleanName(request.body.name ?? user);
      if (!name) throw new ApiError('BAD_REQUEST', 'name must have 1-32 visible characters');
      const ttl = request.body.ttl ?? DEFAULT_TTL_S;
      const token = await signRoomToken(ctx.config.tokenKey, { room, sub: user, name, role, epoch: entry.createdAt, globalModerator }, ttl);
      const extra = globalModerator ? { globalModerator } : {};
      return { data: { token, room, user, name, role, ...extra, epoch: entry.createdAt, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() } };
    },
  );
}
