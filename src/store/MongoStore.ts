import { MongoClient, type Collection, type Db, type Filter, type WriteConcernOptions } from 'mongodb';
import { firstIdAt } from './idOrder.js';
import type { HistoryQuery, RoomRecord, Store, TimeSpanQuery } from './Store.js';
import {
  DEFAULT_SETTINGS,
  type BanRecord,
  type ChatMessageRecord,
  type GlobalSettings,
  type RevocationRecord,
} from '../contracts/records.js';
import type { PruneRule } from './retention.js';
import { MongoRecordings } from './MongoRecordings.js';
import { MongoWebhooks } from './MongoWebhooks.js';
import type { OutboxEntry } from '../contracts/webhookRecords.js';

interface SettingsDoc extends Partial<GlobalSettings> {
  scope: 'global';
}

/**
 * How long a durable write waits for a majority of the replica set (the server's `wtimeout`):
 * with a secondary down, a majority that cannot be reached would hold the write, and every
 * commit behind it, forever. Past it the write fails as an outage and goes to the local journal
 * (the write may have been applied on the primary: the replay is idempotent).
 */
const WRITE_TIMEOUT_MS = 10_000;

/**
 * How long a connection may go without any answer (the driver's `socketTimeoutMS`): a silent
 * partition answers nothing, not even the write-concern timeout, so only the client can end the
 * wait. Above WRITE_TIMEOUT_MS so a write waiting for its write concern gets MongoDB's answer.
 * (This driver, mongodb 7.8, ignores the client-side operation timeout `timeoutMS`: deprecated,
 * "has no effect".)
 */
const SOCKET_TIMEOUT_MS = 15_000;

/** Timeouts a test may shorten. */
export interface MongoStoreOptions {
  readonly writeTimeoutMS?: number;
  readonly socketTimeoutMS?: number;
}

/** Keeps _id out of every document the store hands back. */
const noId = { projection: { _id: 0 } } as const;

/** MongoDB through the official driver, used when MONGODB_URI is set. */
export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  readonly #client: MongoClient;
  readonly #db: Db;
  /**
   * Acknowledged writes are on the journal of a majority of the replica set: a failover or a
   * crash of the primary node does not take them back.
   */
  readonly #durable: WriteConcernOptions;
  readonly recordings: MongoRecordings;
  readonly webhooks: MongoWebhooks;
  #closed = false;

  constructor(uri: string, options: MongoStoreOptions = {}) {
    // A short server-selection timeout turns an unreachable database into a prompt error
    // instead of a request that hangs for the driver's default 30 s.
    this.#client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: options.socketTimeoutMS ?? SOCKET_TIMEOUT_MS, appName: 'chatserver' });
    this.#db = this.#client.db();
    this.#durable = { writeConcern: { w: 'majority', journal: true, wtimeoutMS: options.writeTimeoutMS ?? WRITE_TIMEOUT_MS } };
    this.recordings = new MongoRecordings(this.#db, this.#durable);
    this.webhooks = new MongoWebhooks(this.#db, this.#durable);
  }

  get #rooms(): Collection<RoomRecord> {
    return this.#db.collection<RoomRecord>('rooms');
  }
  get #messages(): Collection<ChatMessageRecord> {
    return this.#db.collection<ChatMessageRecord>('messages');
  }
  get #bans(): Collection<BanRecord> {
    return this.#db.collection<BanRecord>('bans');
  }
  get #revocations(): Collection<RevocationRecord> {
    return this.#db.collection<RevocationRecord>('revocations');
  }
  get #settings(): Collection<SettingsDoc> {
    return this.#db.collection<SettingsDoc>('settings');
  }

  async open(): Promise<void> {
    await this.#client.connect();
    await this.#rooms.createIndex({ name: 1 }, { unique: true });
    await this.#messages.createIndex({ room: 1, id: -1 }, { unique: true });
    await this.#messages.createIndex({ ts: 1 });
    await this.#bans.createIndex({ id: 1 }, { unique: true });
    await this.#bans.createIndex({ user: 1, room: 1 });
    await this.#settings.createIndex({ scope: 1 }, { unique: true });
    await this.#revocations.createIndex({ user: 1, room: 1 }, { unique: true });
    await this.recordings.createIndexes();
    await this.webhooks.createIndexes();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  async ping(): Promise<void> {
    await this.#db.command({ ping: 1 });
  }

  async listRooms(): Promise<RoomRecord[]> {
    return this.#rooms.find({}, noId).sort({ createdAt: 1 }).toArray();
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    return this.#rooms.findOne({ name }, noId);
  }

  async saveRoom(room: RoomRecord, outbox: readonly OutboxEntry[] = []): Promise<void> {
    await this.#rooms.replaceOne({ name: room.name }, { ...room }, { upsert: true, ...this.#durable });
    await this.webhooks.appendEvents(outbox);
  }

  async deleteRoom(name: string, outbox: readonly OutboxEntry[] = []): Promise<boolean> {
    const removed = (await this.#rooms.deleteOne({ name }, this.#durable)).deletedCount > 0;
    if (removed) await this.webhooks.appendEvents(outbox);
    return removed;
  }

  async appendMessages(messages: readonly ChatMessageRecord[], outbox: readonly OutboxEntry[] = []): Promise<void> {
    if (messages.length > 0) await this.#writeMessages(messages);
    // After the messages (no multi-document transaction on a single node): an event never names a message that is not stored.
    await this.webhooks.appendEvents(outbox);
  }

  async #writeMessages(messages: readonly ChatMessageRecord[]): Promise<void> {
    await this.#messages.bulkWrite(
      messages.map((message) => ({
        updateOne: { filter: { room: message.room, id: message.id }, update: { $setOnInsert: { ...message } }, upsert: true },
      })),
      { ordered: false, ...this.#durable },
    );
  }

  async listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]> {
    const filter: Filter<ChatMessageRecord> = query.before === undefined ? { room } : { room, id: { $lt: query.before } };
    const newestFirst = await this.#messages.find(filter, noId).sort({ id: -1 }).limit(query.limit).toArray();
    return newestFirst.reverse();
  }

  async listMessagesWithRef(since: number): Promise<ChatMessageRecord[]> {
    return this.#messages.find({ ts: { $gt: since }, ref: { $exists: true } }, noId).sort({ ts: 1 }).toArray();
  }

  async deleteMessages(room: string): Promise<number> {
    return (await this.#messages.deleteMany({ room })).deletedCount;
  }

  async listMessagesAfter(room: string, after: string | undefined, limit: number): Promise<ChatMessageRecord[]> {
    const filter: Filter<ChatMessageRecord> = after === undefined ? { room } : { room, id: { $gt: after } };
    return this.#messages.find(filter, noId).sort({ id: 1 }).limit(Math.max(0, limit)).toArray();
  }

  async listMessagesBetween(room: string, span: TimeSpanQuery): Promise<ChatMessageRecord[]> {
    const filter: Filter<ChatMessageRecord> = {
      room,
      id: { $gte: firstIdAt(span.from), $lt: firstIdAt(span.to + 1), ...(span.after === undefined ? {} : { $gt: span.after }) },
      ts: { $gte: span.from, $lte: span.to },
    };
    return this.#messages.find(filter, noId).sort({ id: 1 }).limit(Math.max(0, span.limit)).toArray();
  }

  /**
   * The same pruning as the embedded store's (no TTL index: `ts` is a number, and a TTL index
   * could not keep the newest N): the room's `limit` oldest messages are read, and those the
   * rule covers deleted.
   */
  async pruneMessages(room: string, rule: PruneRule, limit: number): Promise<number> {
    if (limit <= 0 || (rule.olderThan === undefined && rule.keepNewest === undefined)) return 0;
    let boundary: string | undefined;
    if (rule.keepNewest !== undefined) {
      const [nth] = await this.#messages.find({ room }, { projection: { _id: 0, id: 1 } }).sort({ id: -1 }).skip(Math.max(0, rule.keepNewest - 1)).limit(1).toArray();
      boundary = nth?.id;
      if (boundary === undefined && rule.olderThan === undefined) return 0;
    }
    const oldest = await this.#messages.find({ room }, { projection: { _id: 0, id: 1, ts: 1 } }).sort({ id: 1 }).limit(limit).toArray();
    const doomed = oldest.filter((m) => (rule.olderThan !== undefined && m.ts < rule.olderThan) || (boundary !== undefined && m.id < boundary)).map((m) => m.id);
    if (doomed.length === 0) return 0;
    return (await this.#messages.deleteMany({ room, id: { $in: doomed } })).deletedCount;
  }

  async listMessageRooms(after: string | undefined, limit: number): Promise<string[]> {
    // One seek of the (room, id) index per room, whatever the number of messages or rooms.
    const rooms: string[] = [];
    for (let last = after; rooms.length < limit; ) {
      const next = await this.#messages.findOne(last === undefined ? {} : { room: { $gt: last } }, { sort: { room: 1 }, projection: { _id: 0, room: 1 } });
      if (!next) break;
      rooms.push(next.room);
      last = next.room;
    }
    return rooms;
  }

  async addBan(ban: BanRecord): Promise<void> {
    await this.#bans.replaceOne({ id: ban.id }, { ...ban }, { upsert: true });
  }

  async listBans(now: number): Promise<BanRecord[]> {
    return this.#bans
      .find({ $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] }, noId)
      .sort({ createdAt: 1 })
      .toArray();
  }

  async removeBan(id: string): Promise<boolean> {
    return (await this.#bans.deleteOne({ id })).deletedCount > 0;
  }

  async revokeTokens(revocation: RevocationRecord): Promise<void> {
    await this.#revocations.replaceOne({ user: revocation.user, room: revocation.room }, { ...revocation }, { upsert: true });
  }

  async listRevocations(since: number): Promise<RevocationRecord[]> {
    return this.#revocations.find({ revokedAt: { $gt: since } }, noId).sort({ revokedAt: 1 }).toArray();
  }

  async removeExpiredBans(now: number): Promise<number> {
    return (await this.#bans.deleteMany({ expiresAt: { $ne: null, $lte: now } })).deletedCount;
  }

  async getSettings(): Promise<GlobalSettings> {
    const doc = await this.#settings.findOne({ scope: 'global' }, { projection: { _id: 0, scope: 0 } });
    return { ...DEFAULT_SETTINGS, ...(doc ?? {}) } as GlobalSettings;
  }

  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    const doc = await this.#settings.findOneAndUpdate(
      { scope: 'global' },
      { $set: { ...patch } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0, scope: 0 } },
    );
    return { ...DEFAULT_SETTINGS, ...(doc ?? {}) } as GlobalSettings;
  }
}
