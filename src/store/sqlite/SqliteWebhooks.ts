import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { WebhookEventType } from '../../contracts/webhookEvents.js';
import { idTimePrefix } from '../../contracts/timeOrderedIds.js';
import {
  EVENT_ID_PREFIX,
  type DeliveryOutcome,
  type DeliveryRecord,
  type DeliveryStatus,
  type DueDelivery,
  type OutboxEntry,
  type OutboxEvent,
  type WebhookEndpointRecord,
} from '../../contracts/webhookRecords.js';
import type { DeliveryPageQuery, ReplaySelector, WebhookStore } from '../WebhookStore.js';
import { inTransaction, inUnsyncedTransaction } from './transaction.js';

type Row = Record<string, unknown>;

const jsonOrNull = <T>(value: unknown): T | null => (value === null ? null : (JSON.parse(value as string) as T));

const endpointOf = (row: Row): WebhookEndpointRecord => ({
  id: row.id as string,
  url: row.url as string,
  events: jsonOrNull<WebhookEventType[]>(row.events),
  rooms: jsonOrNull<string[]>(row.rooms),
  secrets: { current: row.secret as string, previous: row.previous_secret as string | null, previousExpiresAt: row.previous_expires_at as number | null },
  enabled: row.enabled === 1,
  disabledReason: row.disabled_reason as string | null,
  createdAt: row.created_at as number,
  updatedAt: row.updated_at as number,
});

const deliveryOf = (row: Row): DeliveryRecord => ({
  endpoint: row.endpoint as string,
  event: row.event as string,
  type: row.type as WebhookEventType,
  room: row.room as string | null,
  status: row.status as DeliveryStatus,
  attempts: row.attempts as number,
  nextAttemptAt: row.next_attempt_at as number | null,
  lastStatus: row.last_status as number | null,
  lastError: row.last_error as string | null,
  createdAt: row.created_at as number,
  updatedAt: row.updated_at as number,
});

/** A delivery row, which carries its event's columns (schema step 6). */
const dueOf = (row: Row): DueDelivery => ({
  delivery: deliveryOf(row),
  event: { id: row.event as string, type: row.type as WebhookEventType, room: row.room as string | null, timestamp: row.timestamp as number, data: JSON.parse(row.data as string) as OutboxEvent['data'] },
});

/** A delivery's columns but its event's data (listings do not show it). */
const DELIVERY_COLUMNS = 'endpoint, event, type, room, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at';

/**
 * How long after its timestamp an event's id may have been made: ids never go back in time, so
 * an event raised with an earlier time (a leave debounced, a worker's events relayed late, the
 * clock stepped back) gets a later id. A replay's range scans this much past its end.
 */
const LATE_ID_MARGIN_MS = 86_400_000;

function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  return {
    saveEndpoint: s(`INSERT INTO webhook_endpoints (id, url, events, rooms, secret, previous_secret, previous_expires_at, enabled, disabled_reason, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events, rooms = excluded.rooms,
      secret = excluded.secret, previous_secret = excluded.previous_secret, previous_expires_at = excluded.previous_expires_at, enabled = excluded.enabled,
      disabled_reason = excluded.disabled_reason, created_at = excluded.created_at, updated_at = excluded.updated_at`),
    getEndpoint: s('SELECT * FROM webhook_endpoints WHERE id = ?'),
    listEndpoints: s('SELECT * FROM webhook_endpoints ORDER BY created_at, id'),
    deleteEndpoint: s('DELETE FROM webhook_endpoints WHERE id = ?'),
    deleteEndpointDeliveries: s('DELETE FROM webhook_deliveries WHERE endpoint = ?'),
    insertDelivery: s(`INSERT OR IGNORE INTO webhook_deliveries (endpoint, event, type, room, timestamp, data, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, ?, ?)`),
    dueFirst: s(`SELECT * FROM webhook_deliveries WHERE endpoint = ? AND status IN ('pending', 'failed') ORDER BY event LIMIT ?`),
    dueAfter: s(`SELECT * FROM webhook_deliveries WHERE endpoint = ? AND status IN ('pending', 'failed') AND event > ? ORDER BY event LIMIT ?`),
    countDue: s(`SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint = ? AND status IN ('pending', 'failed')`),
    updateDelivery: s('UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ? WHERE endpoint = ? AND event = ?'),
    newestDeliveries: s(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint = ? ORDER BY event DESC LIMIT ?`),
    deliveriesBefore: s(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint = ? AND event < ? ORDER BY event DESC LIMIT ?`),
    requeueSpan: s(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = :now, updated_at = :now
      WHERE endpoint = :endpoint AND event >= :from AND event < :to AND timestamp BETWEEN :since AND :until`),
    requeueOne: s(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = :now, updated_at = :now WHERE endpoint = :endpoint AND event = :event`),
    settled: s(`SELECT endpoint, event FROM webhook_deliveries WHERE status IN ('delivered', 'dead') AND updated_at < ? LIMIT ?`),
    deleteDelivery: s('DELETE FROM webhook_deliveries WHERE endpoint = ? AND event = ?'),
  };
}

type Statements = ReturnType<typeof prepare>;

/** The embedded store's webhook tables (schema steps 4 to 6): endpoints, and deliveries that carry their events. */
export class SqliteWebhooks implements WebhookStore {
  readonly #db: DatabaseSync;
  readonly #s: Statements;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#s = prepare(db);
  }

  async saveEndpoint(e: WebhookEndpointRecord): Promise<void> {
    this.#s.saveEndpoint.run(
      e.id, e.url, e.events === null ? null : JSON.stringify(e.events), e.rooms === null ? null : JSON.stringify(e.rooms),
      e.secrets.current, e.secrets.previous, e.secrets.previousExpiresAt, e.enabled ? 1 : 0, e.disabledReason, e.createdAt, e.updatedAt,
    );
  }

  async getEndpoint(id: string): Promise<WebhookEndpointRecord | null> {
    const row = this.#s.getEndpoint.get(id);
    return row ? endpointOf(row) : null;
  }

  async listEndpoints(): Promise<WebhookEndpointRecord[]> {
    return this.#s.listEndpoints.all().map(endpointOf);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return inTransaction(this.#db, () => {
      this.#s.deleteEndpointDeliveries.run(id);
      return Number(this.#s.deleteEndpoint.run(id).changes) > 0;
    });
  }

  async appendEvents(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    inTransaction(this.#db, () => this.insert(entries));
  }

  /** The rows of `entries`, inside a transaction the caller holds (a chat commit's). */
  insert(entries: readonly OutboxEntry[]): void {
    for (const { event, endpoints } of entries) {
      const data = JSON.stringify(event.data);
      for (const endpoint of endpoints) this.#s.insertDelivery.run(endpoint, event.id, event.type, event.room, event.timestamp, data, event.timestamp, event.timestamp, event.timestamp);
    }
  }

  async listDue(endpoint: string, after: string | undefined, limit: number): Promise<DueDelivery[]> {
    const rows = after === undefined ? this.#s.dueFirst.all(endpoint, limit) : this.#s.dueAfter.all(endpoint, after, limit);
    return rows.map(dueOf);
  }

  async countDue(endpoint: string): Promise<number> {
    return Number((this.#s.countDue.get(endpoint) as { n: number }).n);
  }

  async updateDeliveries(outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    inUnsyncedTransaction(this.#db, () => {
      for (const { endpoint, event, update: u } of outcomes) this.#s.updateDelivery.run(u.status, u.attempts, u.nextAttemptAt, u.lastStatus, u.lastError, u.updatedAt, endpoint, event);
    });
  }

  async listDeliveries(endpoint: string, query: DeliveryPageQuery): Promise<DeliveryRecord[]> {
    const limit = Math.max(0, query.limit);
    const rows = query.before === undefined ? this.#s.newestDeliveries.all(endpoint, limit) : this.#s.deliveriesBefore.all(endpoint, query.before, limit);
    return rows.map(deliveryOf);
  }

  async requeue(endpoint: string, selector: ReplaySelector, now: number): Promise<number> {
    const result = 'event' in selector
      ? this.#s.requeueOne.run({ now, endpoint, event: selector.event })
      : this.#s.requeueSpan.run({
          now,
          endpoint,
          since: selector.since,
          until: selector.until,
          // Ids are made at or after their events' timestamps (see LATE_ID_MARGIN_MS).
          from: EVENT_ID_PREFIX + idTimePrefix(selector.since),
          to: EVENT_ID_PREFIX + idTimePrefix(selector.until + LATE_ID_MARGIN_MS + 1),
        });
    return Number(result.changes);
  }

  async prune(before: number, limit: number): Promise<number> {
    return inTransaction(this.#db, () => {
      const doomed = this.#s.settled.all(before, limit);
      for (const row of doomed) this.#s.deleteDelivery.run(row.endpoint as string, row.event as string);
      return doomed.length;
    });
  }
}
