import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../chat/protocol.js';
import type { AppContext } from '../AppContext.js';
import { parseRoomName } from '../../kit/roomName.js';

const endSessionsSchema = {
  params: { type: 'object', properties: { user: { type: 'string', minLength: 1, maxLength: LIMITS.maxUserId } } },
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { room: { type: 'string' }, reason: { type: 'string', minLength: 1, maxLength: LIMITS.maxReason } },
  },
} as const;

const DEFAULT_REASON = 'Your session was ended by the site';

/**
 * `POST /api/v1/users/:user/end-sessions {"room"?, "reason"?}`: ends a user's sessions in one
 * room or everywhere, the way a credit service cuts off a user whose credit ran out. Their chat
 * connections get an `error` SESSION_ENDED with the reason, then close 4006; a broadcast of theirs
 * is stopped as `POST /api/v1/room/:name/stream/stop` stops one. Nothing is refused afterwards
 * (revoke the user's tokens, ban, or let the auth hook deny for that): the hook's cached answers
 * about the user are dropped, so the next join asks it again.
 */
export function registerAdminSessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { user: string }; Body: { room?: string; reason?: string } | undefined }>('/api/v1/users/:user/end-sessions', { schema: endSessionsSchema }, async (request) => {
    const room = request.body?.room === undefined ? undefined : parseRoomName(request.body.room);
    const user = request.params.user;
    const ended = await ctx.chatAdmin.endSessions(user, room, request.body?.reason ?? DEFAULT_REASON);
    return { data: { user, room: room ?? null, ...ended } };
  });
}
