import type { DeliveryOutcome, DeliveryRecord, DueDelivery, OutboxEntry, WebhookEndpointRecord } from '../contracts/webhookRecords.js';

/** Which deliveries of an endpoint a replay queues again. */
export type ReplaySelector = { readonly since: number; readonly until: number } | { readonly event: string };

/** A page of an endpoint's deliveries, newest event first. */
export interface DeliveryPageQuery {
  /** Only deliveries of events older than this id: the previous page's last. */
  readonly before?: string;
  readonly limit: number;
}

/**
 * Webhook endpoints and the outbox (events, and one delivery per event and endpoint). Part of
 * every Store (`store.webhooks`), usable once open. Event ids sort by time, so "in order" is
 * "by event id".
 */
export interface WebhookStore {
  /** Inserts or replaces the endpoint with this id. */
  saveEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  getEndpoint(id: string): Promise<WebhookEndpointRecord | null>;
  /** Oldest first. */
  listEndpoints(): Promise<WebhookEndpointRecord[]>;
  /** Removes the endpoint and its deliveries; resolves true when it existed. */
  deleteEndpoint(id: string): Promise<boolean>;

  /** Stores events and their deliveries (status pending) in one write. Idempotent by event id. */
  appendEvents(entries: readonly OutboxEntry[]): Promise<void>;
  /** Up to `limit` of an endpoint's deliveries still to make (pending or failed), oldest event first, after the event `after`. */
  listDue(endpoint: string, after: string | undefined, limit: number): Promise<DueDelivery[]>;
  /** How many of the endpoint's deliveries are still to make (pending or failed): the queue depth after a start. */
  countDue(endpoint: string): Promise<number>;
  /**
   * Writes attempts' outcomes, all in one write (the dispatcher's group commit). SQLite does not
   * sync it on its own (the next chat commit's sync carries it): a power failure may forget the
   * latest outcomes, and those deliveries are made again (at least once).
   */
  updateDeliveries(outcomes: readonly DeliveryOutcome[]): Promise<void>;
  /** An endpoint's deliveries, newest event first. */
  listDeliveries(endpoint: string, query: DeliveryPageQuery): Promise<DeliveryRecord[]>;
  /**
   * Queues again (status pending, due at `now`, attempts kept) the endpoint's deliveries the
   * selector names, whatever their status; resolves with them, oldest first.
   */
  requeue(endpoint: string, selector: ReplaySelector, now: number): Promise<number>;
  /**
   * Deletes up to `limit` settled deliveries (delivered or dead) last changed before `before`,
   * and the events no delivery refers to any more; resolves with how many deliveries went.
   */
  prune(before: number, limit: number): Promise<number>;
  /**
   * Whether the store took these entries into a local journal instead (MongoDB away): they are
   * dispatched once `onReleased` says the store has them, not now. Absent: never held back.
   */
  heldBack?(entry: OutboxEntry): boolean;
  /** Listens for held-back entries as they reach the store. */
  onReleased?(listener: (entries: readonly OutboxEntry[]) => void): void;
}

/**
 * The webhook part of a store that is not open yet (the primary builds its parts before it opens
 * the store): each call reaches `store().webhooks` when it is made.
 */
export function openedWebhooks(store: () => { readonly webhooks: WebhookStore }): WebhookStore {
  return {
    saveEndpoint: (endpoint) => store().webhooks.saveEndpoint(endpoint),
    getEndpoint: (id) => store().webhooks.getEndpoint(id),
    listEndpoints: () => store().webhooks.listEndpoints(),
    deleteEndpoint: (id) => store().webhooks.deleteEndpoint(id),
    appendEvents: (entries) => store().webhooks.appendEvents(entries),
    listDue: (endpoint, after, limit) => store().webhooks.listDue(endpoint, after, limit),
    countDue: (endpoint) => store().webhooks.countDue(endpoint),
    updateDeliveries: (outcomes) => store().webhooks.updateDeliveries(outcomes),
    listDeliveries: (endpoint, query) => store().webhooks.listDeliveries(endpoint, query),
    requeue: (endpoint, selector, now) => store().webhooks.requeue(endpoint, selector, now),
    prune: (before, limit) => store().webhooks.prune(before, limit),
    heldBack: (entry) => store().webhooks.heldBack?.(entry) ?? false,
    onReleased: (listener) => store().webhooks.onReleased?.(listener),
  };
}
