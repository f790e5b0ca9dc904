import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../AppContext.js';
import { parseRoomName } from '../../kit/roomName.js';

const revokeSchema = {
  body: {
    type: 'object',
    required: ['user'],
    additionalProperties: false,
    properties: { user: { type: 'string', minLength: 1, maxLength: 128 }, room: { type: 'string' } },
  },
} as const;

/**
 * Token revocation on the admin API: `POST /api/v1/tokens/revoke {"user","room"?}` refuses every
 * token of the user issued until now (in one room, or in all), `GET /api/v1/tokens/revocations`.
 */
export function registerAdminTokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/v1/tokens/revocations', async () => ({ data: ctx.chatAdmin.listRevocations() }));
  app.post<{ Body: { user: string; room?: string } }>('/api/v1/tokens/revoke', { schema: revokeSchema }, async (request) => {
    const room = request.body.room === undefined ? null : parseRoomName(request.body.room);
    return { data: await ctx.chatAdmin.revokeTokens(request.body.user, room) };
  });
}
