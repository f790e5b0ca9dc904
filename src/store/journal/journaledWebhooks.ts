import type { OutboxEntry } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../WebhookStore.js';

export interface JournaledOutbox {
  /** Stores events raised with no other write: in MongoDB while it answers, else in the journal. */
  appendEvents(entries: readonly OutboxEntry[]): Promise<void>;
  heldBack(entry: OutboxEntry): boolean;
  onReleased(listener: (entries: readonly OutboxEntry[]) => void): void;
}

/**
 * The webhook part of a JournaledStore: events go through the journal as room and chat writes
 * do (nothing raised during an outage is lost), everything else straight to MongoDB (endpoint
 * changes are refused while it is away; a delivery outcome it misses is logged, and that
 * delivery made again after a restart: at least once).
 */
export function journaledWebhooks(remote: () => WebhookStore, outbox: JournaledOutbox): WebhookStore {
  return {
    saveEndpoint: (endpoint) => remote().saveEndpoint(endpoint),
    getEndpoint: (id) => remote().getEndpoint(id),
    listEndpoints: () => remote().listEndpoints(),
    deleteEndpoint: (id) => remote().deleteEndpoint(id),
    appendEvents: (entries) => outbox.appendEvents(entries),
    listDue: (endpoint, after, limit) => remote().listDue(endpoint, after, limit),
    countDue: (endpoint) => remote().countDue(endpoint),
    updateDeliveries: (outcomes) => remote().updateDeliveries(outcomes),
    listDeliveries: (endpoint, query) => remote().listDeliveries(endpoint, query),
    requeue: (endpoint, selector, now) => remote().requeue(endpoint, selector, now),
    prune: (before, limit) => remote().prune(before, limit),
    heldBack: (entry) => outbox.heldBack(entry),
    onReleased: (listener) => outbox.onReleased(listener),
  };
}
