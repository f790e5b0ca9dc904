import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../chat/protocol.js';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';

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

type UserParams = { Params: { name: string; user: string } };

/** Admin routes on the people in a room: who is there, and muting one of them (kicks are in adminChatRoutes). */
export function registerAdminRoomUserRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { name: string } }>('/api/v1/room/:name/users', async (request) => {
    const room = parseRoomName(request.params.name);
    return { data: await ctx.chatAdmin.users(room) };
  });

  app.post<UserParams & { Body: { duration: number; reason?: string } }>('/api/v1/room/:name/users/:user/mute', { schema: muteSchema }, async (request) => {
    const room = parseRoomName(request.params.name);
    const { user } = request.params;
    const until = await ctx.chatAdmin.mute(room, user, request.body.duration, request.body.reason ?? null);
    if (until === null) throw new ApiError('NOT_FOUND', 'That user is not in the room');
    return { data: { room, user, mutedUntil: until } };
  });
}
