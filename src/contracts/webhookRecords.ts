import type { WebhookEventType } from './webhookEvents.js';

/**
 * Webhook endpoints, the outbox of events and the deliveries of each event to each endpoint, as
 * the store keeps them (times are epoch milliseconds). Only the primary reads and writes them.
 */

export interface WebhookSecrets {
  /** `whsec_...`: every request is signed with it. */
  readonly current: string;
  /** The secret before the last rotation, still signed with until `previousExpiresAt`. */
  readonly previous: string | null;
  readonly previousExpiresAt: number | null;
}

/** An endpoint as the admin API shows it: never its secrets. */
export interface WebhookEndpointView {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[] | null;
  readonly rooms: readonly string[] | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  /** While a rotated-out secret still signs (24 h after a rotation); null otherwise. */
  readonly previousSecretExpiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface WebhookEndpointRecord {
  /** `ep_...` */
  readonly id: string;
  readonly url: string;
  /** The event types delivered; null: every type but `message.created` (which is opt-in). */
  readonly events: readonly WebhookEventType[] | null;
  /** The rooms whose events are delivered; null: every room. Events of no room always are. */
  readonly rooms: readonly string[] | null;
  readonly secrets: WebhookSecrets;
  readonly enabled: boolean;
  /** Why it is disabled (an operator, or the endpoint answered 410); null while enabled. */
  readonly disabledReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What every event id begins with (Standard Webhooks' message ids); a time-ordered id follows (idTimePrefix). */
export const EVENT_ID_PREFIX = 'msg_';

/** One event of the outbox; `id` (`msg_...`) is the `webhook-id` every delivery of it carries. */
export interface OutboxEvent {
  readonly id: string;
  readonly type: WebhookEventType;
  /** The room the event is about; null for server-wide events. */
  readonly room: string | null;
  readonly timestamp: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An event to store with the endpoints it goes to (one delivery each). */
export interface OutboxEntry {
  readonly event: OutboxEvent;
  readonly endpoints: readonly string[];
}

/**
 * pending: not attempted yet (or queued again by a replay); failed: the last attempt failed and
 * another is due at `nextAttemptAt`; delivered: a 2xx; dead: given up (24 h of failures, the
 * endpoint answered 410, or it was deleted).
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

export interface DeliveryRecord {
  readonly endpoint: string;
  readonly event: string;
  readonly type: WebhookEventType;
  readonly room: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  /** The HTTP status of the last attempt; null when it got none (timeout, refused connection). */
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What an attempt changes in a delivery. */
export type DeliveryUpdate = Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'updatedAt'>;

/** The outcome of an attempt, for the delivery of `event` to `endpoint`. */
export interface DeliveryOutcome {
  readonly endpoint: string;
  readonly event: string;
  readonly update: DeliveryUpdate;
}

/** A delivery still to make, with its event. */
export interface DueDelivery {
  readonly delivery: DeliveryRecord;
  readonly event: OutboxEvent;
}
