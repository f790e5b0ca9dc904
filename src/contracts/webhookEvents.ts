/**
 * The webhook event catalogue: every type, its `data` shape, and a JSON Schema (draft 2020-12)
 * per type that the tests check what is actually sent against (docs/integrations.md links here).
 * A request body is `{type, timestamp, data}` (timestamp: ISO 8601).
 */

export const WEBHOOK_EVENT_TYPES = [
  'room.created',
  'room.deleted',
  'stream.started',
  'stream.ended',
  'user.joined',
  'user.left',
  'message.created',
  'moderation.kicked',
  'moderation.muted',
  'moderation.banned',
  'server.draining',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Only delivered to endpoints that name it in `events`: chat is the busiest source by far. */
export const OPT_IN_EVENT_TYPES: ReadonlySet<WebhookEventType> = new Set(['message.created']);

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export interface WebhookEventData {
  'room.created': { room: string; port: number };
  'room.deleted': { room: string };
  'stream.started': { room: string; protocol: string | null; startedAt: string };
  'stream.ended': {
    room: string;
    startedAt: string;
    endedAt: string;
    /** Seconds. */
    duration: number;
    /** Bytes the producer sent. */
    bytes: number;
    /** The recording's VOD playlist on the room port; null when the broadcast is not recorded. */
    recording: string | null;
  };
  'user.joined': { room: string; user: string; name: string; role: string };
  'user.left': { room: string; user: string; name: string };
  'message.created': { room: string; id: string; user: string; name: string; text: string; ts: string };
  'moderation.kicked': { room: string; user: string; by: string | null; reason: string | null };
  'moderation.muted': { room: string; user: string; by: string | null; reason: string | null };
  'moderation.banned': { room: string | null; user: string; by: string | null; reason: string | null; expiresAt: string | null };
  'server.draining': { host: string };
}

/** An event as a worker (or the primary) raises it, before the outbox gives it an id. */
export type RaisedEvent = {
  [T in WebhookEventType]: { readonly type: T; readonly room: string | null; readonly at: number; readonly data: WebhookEventData[T] };
}[WebhookEventType];

type JsonSchema = Readonly<Record<string, unknown>>;

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const room = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties };
}

const DATA_SCHEMAS: Record<WebhookEventType, JsonSchema> = {
  'room.created': object({ room, port: { type: 'integer', minimum: 1, maximum: 65535 } }),
  'room.deleted': object({ room }),
  'stream.started': object({ room, protocol: nullableStr, startedAt: time }),
  'stream.ended': object({
    room,
    startedAt: time,
    endedAt: time,
    duration: { type: 'number', minimum: 0 },
    bytes: { type: 'integer', minimum: 0 },
    recording: { type: ['string', 'null'], format: 'uri' },
  }),
  'user.joined': object({ room, user: str, name: str, role: { enum: ['viewer', 'producer', 'moderator'] } }),
  'user.left': object({ room, user: str, name: str }),
  'message.created': object({ room, id: str, user: str, name: str, text: str, ts: time }),
  'moderation.kicked': object({ room, user: str, by: nullableStr, reason: nullableStr }),
  'moderation.muted': object({ room, user: str, by: nullableStr, reason: nullableStr }),
  'moderation.banned': object({ room: { anyOf: [room, { type: 'null' }] }, user: str, by: nullableStr, reason: nullableStr, expiresAt: { anyOf: [time, { type: 'null' }] } }),
  'server.draining': object({ host: str }),
};

/** The JSON Schema of a whole request body of one event type. */
export function webhookBodySchema(type: WebhookEventType): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://chatserver.invalid/webhooks/${type}.json`,
    title: type,
    ...object({ type: { const: type }, timestamp: time, data: DATA_SCHEMAS[type] }),
  };
}
