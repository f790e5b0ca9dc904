import type { FastifyInstance } from 'fastify';
import { addressBanProblem } from '../../chat/banKeys.js';
import { LIMITS } from '../../chat/protocol.js';
import type { GlobalSettings } from '../../contracts/records.js';
import { RETENTION_LIMITS } from '../../store/retention.js';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';

const settingsSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      bannedWords: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 64 } },
      bannedWordsAction: { type: 'string', enum: ['mask', 'refuse'] },
      chatRate: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 10_000 },
      chatBurst: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
      historySize: { type: 'integer', minimum: 0, maximum: 500 },
      welcomeText: { type: 'string', maxLength: 2000 },
      historyRetentionDays: { type: ['integer', 'null'], minimum: 1, maximum: RETENTION_LIMITS.maxDays },
      historyMaxMessages: { type: ['integer', 'null'], minimum: 1, maximum: RETENTION_LIMITS.maxMessages },
    },
  },
} as const;

const banSchema = {
  body: {
    type: 'object',
    required: ['user'],
    additionalProperties: false,
    properties: {
      user: { type: 'string', minLength: 1, maxLength: 128 },
      room: { type: 'string' },
      reason: { type: 'string', maxLength: LIMITS.maxReason },
      duration: { type: 'integer', minimum: 1, maximum: LIMITS.maxDurationS },
    },
  },
} as const;

const messageSchema = {
  body: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: { text: { type: 'string', minLength: 1, maxLength: LIMITS.maxText }, room: { type: 'string' } },
  },
} as const;

const stopStreamSchema = {
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: LIMITS.maxReason } },
  },
} as const;

/** Admin routes for chat: settings, bans, system messages, kicks. */
export function registerAdminChatRoutes(app: FastifyInstance, ctx: AppContext): void {
  const admin = ctx.chatAdmin;

  app.get('/api/v1/settings', async () => ({ data: admin.settings() }));
  app.patch<{ Body: Partial<GlobalSettings> }>('/api/v1/settings', { schema: settingsSchema }, async (request) => ({
    data: await admin.updateSettings(request.body),
  }));

  app.get('/api/v1/bans', async () => ({ data: admin.listBans() }));
  app.post<{ Body: { user: string; room?: string; reason?: string; duration?: number } }>(
    '/api/v1/bans',
    { schema: banSchema },
    async (request, reply) => {
      const { user, reason, duration } = request.body;
      const problem = addressBanProblem(user);
      if (problem) throw new ApiError('BAD_REQUEST', problem);
      const room = request.body.room === undefined ? null : parseRoomName(request.body.room);
      const ban = await admin.addBan({ user, room, reason: reason ?? 'banned by an operator', expiresAt: duration ? Date.now() + duration * 1000 : null });
      return reply.code(201).send({ data: ban });
    },
  );
  app.delete<{ Params: { id: string } }>('/api/v1/bans/:id', async (request) => {
    if (!(await admin.removeBan(request.params.id))) throw new ApiError('NOT_FOUND', 'No such ban');
    return { data: { id: request.params.id, message: 'Ban lifted' } };
  });

  app.post<{ Body: { text: string; room?: string } }>('/api/v1/messages', { schema: messageSchema }, async (request) => {
    const room = request.body.room === undefined ? undefined : parseRoomName(request.body.room);
    return { data: await admin.system(request.body.text, room) };
  });

  app.post<{ Params: { name: string }; Body: { reason?: string } | undefined }>('/api/v1/room/:name/stream/stop', { schema: stopStreamSchema }, async (request) => {
    const room = parseRoomName(request.params.name);
    const { producer } = await admin.stopStream(room, request.body?.reason);
    return { data: { room, producer, message: 'Stream stopped' } };
  });

  app.delete<{ Params: { name: string; user: string } }>('/api/v1/room/:name/users/:user', async (request) => {
    const room = parseRoomName(request.params.name);
    const connections = await admin.kick(room, request.params.user, 'removed by an operator');
    return { data: { room, user: request.params.user, connections } };
  });
}
