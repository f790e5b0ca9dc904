import type { Collection, Db, Filter, ObjectId, WriteConcernOptions } from 'mongodb';
import type { DeliveryOutcome, DeliveryRecord, DueDelivery, OutboxEntry, OutboxEvent, WebhookEndpointRecord } from '../contracts/webhookRecords.js';
import type { DeliveryPageQuery, ReplaySelector, WebhookStore } from './WebhookStore.js';

/** A delivery as stored: with its event's time, so a replay by time needs no join. */
interface DeliveryDoc extends DeliveryRecord {
  eventTimestamp: number;
}

const noId = { projection: { _id: 0 } } as const;
const deliveryFields = { projection: { _id: 0, eventTimestamp: 0 } } as const;

/** MongoDB's `webhook_endpoints`, `webhook_events` and `webhook_deliveries` collections. */
export class MongoWebhooks implements WebhookStore {
  readonly #db: Db;
  readonly #durable: WriteConcernOptions;
  /** Where prune's scan of old events goes on from (null: from the oldest). */
  #scanAfter: ObjectId | null = null;

  constructor(db: Db, durable: WriteConcernOptions) {
    this.#db = db;
    this.#durable = durable;
  }

  get #endpoints(): Collection<WebhookEndpointRecord> {
    return this.#db.collection<WebhookEndpointRecord>('webhook_endpoints');
  }
  get #events(): Collection<OutboxEvent> {
    return this.#db.collection<OutboxEvent>('webhook_events');
  }
  get #deliveries(): Collection<DeliveryDoc> {
    return this.#db.collection<DeliveryDoc>('webhook_deliveries');
  }

  async createIndexes(): Promise<void> {
    await this.#endpoints.createIndex({ id: 1 }, { unique: true });
    await this.#events.createIndex({ id: 1 }, { unique: true });
    await this.#events.createIndex({ timestamp: 1 });
    await this.#deliveries.createIndex({ endpoint: 1, event: -1 }, { unique: true });
    // What is still to deliver to an endpoint, oldest first (the dispatcher pages it in).
    await this.#deliveries.createIndex({ endpoint: 1, event: 1 }, { name: 'due_by_endpoint', partialFilterExpression: { status: { $in: ['pending', 'failed'] } } });
    await this.#deliveries.createIndex({ updatedAt: 1 });
    await this.#deliveries.createIndex({ endpoint: 1, eventTimestamp: 1 });
  }

  async saveEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    await this.#endpoints.replaceOne({ id: endpoint.id }, { ...endpoint }, { upsert: true, ...this.#durable });
  }

  async getEndpoint(id: string): Promise<WebhookEndpointRecord | null> {
    return this.#endpoints.findOne({ id }, noId);
  }

  async listEndpoints(): Promise<WebhookEndpointRecord[]> {
    return this.#endpoints.find({}, noId).sort({ createdAt: 1, id: 1 }).toArray();
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    // The endpoint first: a crash between the two leaves deliveries nobody loads (pruned later), never an endpoint without them.
    const removed = (await this.#endpoints.deleteOne({ id }, this.#durable)).deletedCount > 0;
    await this.#deliveries.deleteMany({ endpoint: id }, this.#durable);
    return removed;
  }

  /** Events before their deliveries: a delivery never points at an event that is not stored. */
  async appendEvents(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#events.bulkWrite(
      entries.map(({ event }) => ({ updateOne: { filter: { id: event.id }, update: { $setOnInsert: { ...event } }, upsert: true } })),
      { ordered: false, ...this.#durable },
    );
    const deliveries = entries.flatMap(({ event, endpoints }) =>
      endpoints.map((endpoint): DeliveryDoc => ({
        endpoint, event: event.id, type: event.type, room: event.room, status: 'pending', attempts: 0, nextAttemptAt: event.timestamp,
        lastStatus: null, lastError: null, createdAt: event.timestamp, updatedAt: event.timestamp, eventTimestamp: event.timestamp,
      })),
    );
    if (deliveries.length === 0) return;
    await this.#deliveries.bulkWrite(
      deliveries.map((d) => ({ updateOne: { filter: { endpoint: d.endpoint, event: d.event }, update: { $setOnInsert: d }, upsert: true } })),
      { ordered: false, ...this.#durable },
    );
  }

  async listDue(endpoint: string, after: string | undefined, limit: number): Promise<DueDelivery[]> {
    const open: Filter<DeliveryDoc> = { endpoint, status: { $in: ['pending', 'failed'] } };
    const filter: Filter<DeliveryDoc> = after === undefined ? open : { ...open, event: { $gt: after } };
    return this.#withEvents(await this.#deliveries.find(filter, deliveryFields).sort({ event: 1 }).limit(limit).toArray());
  }

  async countDue(endpoint: string): Promise<number> {
    // The filter of the partial index due_by_endpoint: the count reads the index only.
    return this.#deliveries.countDocuments({ endpoint, status: { $in: ['pending', 'failed'] } });
  }

  async updateDeliveries(outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const ops = outcomes.map(({ endpoint, event, update }) => ({ updateOne: { filter: { endpoint, event }, update: { $set: { ...update } } } }));
    await this.#deliveries.bulkWrite(ops, { ordered: false, ...this.#durable });
  }

  async listDeliveries(endpoint: string, query: DeliveryPageQuery): Promise<DeliveryRecord[]> {
    const filter: Filter<DeliveryDoc> = query.before === undefined ? { endpoint } : { endpoint, event: { $lt: query.before } };
    return this.#deliveries.find(filter, deliveryFields).sort({ event: -1 }).limit(Math.max(0, query.limit)).toArray();
  }

  async requeue(endpoint: string, selector: ReplaySelector, now: number): Promise<number> {
    const filter: Filter<DeliveryDoc> = 'event' in selector ? { endpoint, event: selector.event } : { endpoint, eventTimestamp: { $gte: selector.since, $lte: selector.until } };
    return (await this.#deliveries.updateMany(filter, { $set: { status: 'pending', nextAttemptAt: now, updatedAt: now } }, this.#durable)).matchedCount;
  }

  async prune(before: number, limit: number): Promise<number> {
    const doomed = await this.#deliveries
      .find({ status: { $in: ['delivered', 'dead'] }, updatedAt: { $lt: before } }, { projection: { _id: 1, event: 1 } })
      .limit(limit)
      .toArray();
    if (doomed.length > 0) await this.#deliveries.deleteMany({ _id: { $in: doomed.map((d) => d._id) } });
    // Events left without deliveries: those of the deliveries just pruned, and the next page of
    // old events (a cursor that moves on, wrapping around), so events still referenced (an
    // endpoint disabled for long) never keep the scan from reaching the ones after them.
    const page = await this.#events
      .find({ timestamp: { $lt: before }, ...(this.#scanAfter === null ? {} : { _id: { $gt: this.#scanAfter } }) }, { projection: { _id: 1, id: 1 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    this.#scanAfter = page.length < limit ? null : page.at(-1)!._id;
    const candidates = [...new Set([...doomed.map((d) => d.event), ...page.map((e) => e.id)])];
    const referenced = new Set(await this.#deliveries.distinct('event', { event: { $in: candidates } }));
    const orphans = candidates.filter((id) => !referenced.has(id));
    if (orphans.length > 0) await this.#events.deleteMany({ id: { $in: orphans } });
    return doomed.length;
  }

  async #withEvents(deliveries: readonly DeliveryRecord[]): Promise<DueDelivery[]> {
    if (deliveries.length === 0) return [];
    const events = await this.#events.find({ id: { $in: [...new Set(deliveries.map((d) => d.event))] } }, noId).toArray();
    const byId = new Map(events.map((e) => [e.id, e]));
    return deliveries.flatMap((delivery) => {
      const event = byId.get(delivery.event);
      return event ? [{ delivery, event }] : [];
    });
  }
}
