import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../chat/protocol.js';
import type { AppContext } from '../AppContext.js';
import { parseRoomName } from '../../kit/roomName.js';

/** The most users one answer of the user list carries, and how many without `?limit=`. */
export const USER_LIST_LIMITS = { max: 1000, default: 200 } as const;

const usersSchema = {
  querystring: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: USER_LIST_LIMITS.max, default: USER_LIST_LIMITS.default },
      q: { type: 'string', maxLength: LIMITS.maxUserId },
    },
  },
} as const;

const muteSchema = {
  body: {
    type: 'object',
    required: ['duration'],
    additionalProperties: false,
    properties: {
      duration: { type: 'integer', minimum: 1, maximum: LIMITS.maxDurationS },
      reason: { type: 'string', maxLength: LIMITS.maxReason },
    },
  },
} as const;

const banSchema = {
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: {
      duration: { type: 'integer', minimum: 1, maximum: LIMITS.maxDurationS },
      reason: { type: 'string', maxLength: LIMITS.maxReason },
    },
  },
} as const;

type UserParams = { Params: { name: string; user: string } };

/** Admin routes on the people in a room: who is there, muting and banning one of them (kicks are in adminChatRoutes). */
export function registerAdminRoomUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { name: string }; Querystring: { limit: number; q?: string } }>('/api/v1/room/:name/users', { schema: usersSchema }, async (request) => {
    const room = parseRoomName(request.params.name);
    const { limit, q } = request.query;
    return { data: await ctx.chatAdmin.users(room, limit, q || undefined) };
  });

  app.post<UserParams & { Body: { duration: number; reason?: string } }>('/api/v1/room/:name/users/:user/mute', { schema: muteSchema }, async (request) => {
    const room = parseRoomName(request.params.name);
    const { user } = request.params;
    const until = await ctx.chatAdmin.mute(room, user, request.body.duration, request.body.reason ?? null);
    return { data: { room, user, mutedUntil: until } };
  });

  app.post<UserParams & { Body: { duration?: number; reason?: string } | undefined }>('/api/v1/room/:name/users/:user/ban', { schema: banSchema }, async (request, reply) => {
    const room = parseRoomName(request.params.name);
    const { user } = request.params;
    const duration = request.body?.duration;
    const reason = request.body?.reason ?? 'banned by an operator';
    const bans = await ctx.chatAdmin.banInRoom(room, user, duration === undefined ? null : Date.now() + duration * 1000, reason);
    return reply.code(201).send({ data: { room, user, bans } });
  });
}
