import type { FastifyInstance } from 'fastify';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../contracts/webhookEvents.js';
import { ApiError } from '../../kit/errors.js';
import type { AppContext } from '../AppContext.js';

type IdParams = { Params: { id: string } };

const events = { type: 'array', minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } } as const;
const rooms = { type: 'array', minItems: 1, maxItems: 1_000, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } as const;
const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const id = { type: 'object', properties: { id: { type: 'string', pattern: '^ep_[A-Za-z0-9_-]{1,64}$' } } } as const;

const createSchema = {
  body: { type: 'object', required: ['url'], additionalProperties: false, properties: { url, events, rooms } },
} as const;

const patchSchema = {
  params: id,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { url, events: { anyOf: [events, { type: 'null' }] }, rooms: { anyOf: [rooms, { type: 'null' }] }, enabled: { type: 'boolean' } },
  },
} as const;

const deliveriesSchema = {
  params: id,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { before: { type: 'string', pattern: '^msg_[a-z0-9]{1,64}$' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  },
} as const;

const time = { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', minimum: 0 }] } as const;
const replaySchema = {
  params: id,
  body: {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['since', 'until'] }, { required: ['delivery'] }],
    properties: { since: time, until: time, delivery: { type: 'string', pattern: '^msg_[a-z0-9]{1,64}$' } },
  },
} as const;

/** A time in a replay: an ISO 8601 string or epoch milliseconds. */
function epochMs(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/**
 * Admin routes for webhook endpoints (docs/integrations.md#webhooks). The secret is in the
 * answer of a creation and a rotation only.
 */
export function registerAdminWebhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const webhooks = ctx.webhooks;

  app.post<{ Body: { url: string; events?: WebhookEventType[]; rooms?: string[] } }>('/api/v1/webhooks', { schema: createSchema }, async (request, reply) => {
    const { endpoint, secret } = await webhooks.create(request.body);
    return reply.code(201).send({ data: { ...endpoint, secret } });
  });

  app.get('/api/v1/webhooks', async () => ({ data: webhooks.list() }));

  app.get<IdParams>('/api/v1/webhooks/:id', { schema: { params: id } }, async (request) => ({ data: webhooks.get(request.params.id) }));

  app.patch<IdParams & { Body: { url?: string; events?: WebhookEventType[] | null; rooms?: string[] | null; enabled?: boolean } }>(
    '/api/v1/webhooks/:id',
    { schema: patchSchema },
    async (request) => ({ data: await webhooks.update(request.params.id, request.body) }),
  );

  app.delete<IdParams>('/api/v1/webhooks/:id', { schema: { params: id } }, async (request) => {
    await webhooks.remove(request.params.id);
    return { data: { id: request.params.id, message: 'Webhook endpoint deleted' } };
  });

  app.post<IdParams>('/api/v1/webhooks/:id/rotate-secret', { schema: { params: id } }, async (request) => {
    const { endpoint, secret } = await webhooks.rotateSecret(request.params.id);
    return { data: { ...endpoint, secret } };
  });

  app.get<IdParams & { Querystring: { before?: string; limit: number } }>('/api/v1/webhooks/:id/deliveries', { schema: deliveriesSchema }, async (request) => {
    const { deliveries, next } = await webhooks.deliveries(request.params.id, request.query);
    return { data: deliveries, next };
  });

  app.post<IdParams & { Body: { since?: string | number; until?: string | number; delivery?: string } }>(
    '/api/v1/webhooks/:id/replay',
    { schema: replaySchema },
    async (request) => {
      const { since, until, delivery } = request.body;
      if (delivery !== undefined) return { data: await webhooks.replay(request.params.id, { event: delivery }) };
      const from = epochMs(since!);
      const to = epochMs(until!);
      if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) throw new ApiError('BAD_REQUEST', 'since and until are times (ISO 8601 or epoch ms), since before until');
      return { data: await webhooks.replay(request.params.id, { since: from, until: to }) };
    },
  );
}
