import type { Logger } from '../../kit/createLogger.js';
import { MessageIdGenerator } from '../../chat/messageIds.js';
import type { RaisedEvent, WebhookEventType } from '../../contracts/webhookEvents.js';
import type { ChatMessageRecord } from '../../contracts/records.js';
import { EVENT_ID_PREFIX, type OutboxEntry, type OutboxEvent, type WebhookEndpointRecord } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';
import { endpointMatches } from './endpointMatch.js';
import type { WebhookDispatcher } from './WebhookDispatcher.js';

/**
 * Turns raised events into outbox entries (an id each, one delivery per endpoint that wants it),
 * stores them, then hands them to the dispatcher: nothing is sent that is not stored first.
 * Events no enabled endpoint wants are not stored at all.
 */
export class WebhookOutbox {
  readonly #store: WebhookStore;
  readonly #dispatcher: WebhookDispatcher;
  readonly #endpoints: () => Iterable<WebhookEndpointRecord>;
  readonly #logger: Logger;
  readonly #ids = new MessageIdGenerator();
  /** Events that could not be stored (the store failed): never sent. */
  lost = 0;

  constructor(store: WebhookStore, dispatcher: WebhookDispatcher, endpoints: () => Iterable<WebhookEndpointRecord>, logger: Logger) {
    this.#store = store;
    this.#dispatcher = dispatcher;
    this.#endpoints = endpoints;
    this.#logger = logger;
  }

  /** Stores the events (one write) and starts their deliveries. Never throws: a store failure is logged and counted. */
  async raise(events: readonly RaisedEvent[]): Promise<void> {
    const entries = this.entries(events);
    if (entries.length === 0) return;
    try {
      await this.#store.appendEvents(entries);
    } catch (error) {
      this.lost += entries.length;
      this.#logger.error({ err: error, events: entries.length }, 'webhook events not stored; they will not be sent');
      return;
    }
    this.committed(entries);
  }

  /** The entries of events to store with another write (a room's); `committed` once it is durable. */
  entries(events: readonly RaisedEvent[]): OutboxEntry[] {
    return events.flatMap((raised) => this.#entry(raised.type, raised.room, raised.at, raised.data));
  }

  /** The `message.created` entries of a chat commit, stored with its messages (see MessageCommitter). */
  messageEntries(records: readonly ChatMessageRecord[]): OutboxEntry[] {
    if (!this.#wants('message.created')) return [];
    return records.flatMap((m) =>
      this.#entry('message.created', m.room, m.ts, { room: m.room, id: m.id, user: m.user, name: m.name, text: m.text, ts: new Date(m.ts).toISOString() }),
    );
  }

  /**
   * Entries the store now holds: their deliveries start. Those it held back (journaled while
   * MongoDB is away) start when the journal's replay releases them (Webhooks.start listens).
   */
  committed(entries: readonly OutboxEntry[]): void {
    const now = entries.filter((entry) => !this.#store.heldBack?.(entry));
    if (now.length > 0) this.#dispatcher.dispatch(now);
  }

  #wants(type: WebhookEventType): boolean {
    for (const endpoint of this.#endpoints()) if (endpointMatches(endpoint, type, null)) return true;
    return false;
  }

  #entry(type: WebhookEventType, room: string | null, at: number, data: object): OutboxEntry[] {
    const endpoints: string[] = [];
    for (const endpoint of this.#endpoints()) if (endpointMatches(endpoint, type, room)) endpoints.push(endpoint.id);
    if (endpoints.length === 0) return [];
    const event: OutboxEvent = { id: EVENT_ID_PREFIX + this.#ids.next(at).id, type, room, timestamp: at, data: data as OutboxEvent['data'] };
    return [{ event, endpoints }];
  }
}
