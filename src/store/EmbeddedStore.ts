import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import NedbModule from '@seald-io/nedb';
import { RoomMessageIndex } from './RoomMessageIndex.js';
import type { Store } from './Store.js';
import {
  DEFAULT_SETTINGS,
  type BanRecord,
  type ChatMessageRecord,
  type GlobalSettings,
  type HistoryQuery,
  type RevocationRecord,
  type RoomRecord,
} from './records.js';

/** Compacting the append-only files hourly keeps restarts quick without rewriting often. */
const COMPACT_EVERY_MS = 60 * 60 * 1000;

type Doc = Record<string, unknown>;

// The package's types declare an ES default export, but at run time module.exports is the class.
const Datastore = NedbModule as unknown as typeof NedbModule.default;
type Datastore = InstanceType<typeof Datastore>;

/**
 * A message's NeDB key, made from (room, id), which are unique together: knowing the key
 * before the insert lets a failed write be repaired by key. (Files from before this kept
 * NeDB's random keys; the index reads them at open.)
 */
function messageKey(message: ChatMessageRecord): string {
  return `${message.room}/${message.id}`;
}

function strip<T>(doc: Doc): T {
  const { _id: _ignored, ...rest } = doc;
  return rest as T;
}

/**
 * The default store: NeDB files in DATA_DIR, so a fresh machine runs with no database server.
 * NeDB allows one writer per file, which is why only the primary opens it.
 */
export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  readonly #dir: string;
  readonly #rooms: Datastore;
  readonly #messages: Datastore;
  readonly #bans: Datastore;
  readonly #settings: Datastore;
  readonly #revocations: Datastore;
  /** Messages by room in id order: history pages never make NeDB load and sort a whole room. */
  readonly #history = new RoomMessageIndex();
  #closed = false;

  constructor(dataDir: string) {
    this.#dir = dataDir;
    const file = (name: string) => new Datastore({ filename: path.join(dataDir, `${name}.db`) });
    this.#rooms = file('rooms');
    this.#messages = file('messages');
    this.#bans = file('bans');
    this.#settings = file('settings');
    this.#revocations = file('revocations');
  }

  get #all(): Datastore[] {
    return [this.#rooms, this.#messages, this.#bans, this.#settings, this.#revocations];
  }

  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const db of this.#all) {
      await db.loadDatabaseAsync();
      db.setAutocompactionInterval(COMPACT_EVERY_MS);
    }
    await this.#rooms.ensureIndexAsync({ fieldName: 'name', unique: true });
    await this.#messages.ensureIndexAsync({ fieldName: 'room' });
    await this.#messages.ensureIndexAsync({ fieldName: ['room', 'id'], unique: true });
    await this.#bans.ensureIndexAsync({ fieldName: 'id', unique: true });
    this.#indexHistory();
  }

  /** Indexes every message NeDB loaded from its file. */
  #indexHistory(): void {
    const documents = this.#messages.getAllData() as unknown as Array<ChatMessageRecord & { _id: string }>;
    this.#history.rebuild(documents.map((doc) => ({ room: doc.room, id: doc.id, key: doc._id })));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const db of this.#all) {
      db.stopAutocompaction();
      await db.compactDatafileAsync();
    }
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('store is closed');
  }

  async listRooms(): Promise<RoomRecord[]> {
    const docs = (await this.#rooms.findAsync({}).sort({ createdAt: 1 })) as unknown as Doc[];
    return docs.map((d) => strip<RoomRecord>(d));
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    const doc = (await this.#rooms.findOneAsync({ name })) as unknown as Doc | null;
    return doc ? strip<RoomRecord>(doc) : null;
  }

  async saveRoom(room: RoomRecord): Promise<void> {
    await this.#rooms.updateAsync({ name: room.name }, { ...room }, { upsert: true });
  }

  async deleteRoom(name: string): Promise<boolean> {
    return (await this.#rooms.removeAsync({ name }, { multi: false })) > 0;
  }

  async appendMessages(messages: readonly ChatMessageRecord[]): Promise<void> {
    // Idempotent by (room, id) through the index: a batch sent again adds only what is missing.
    const fresh = new Map<string, ChatMessageRecord & { _id: string }>();
    for (const message of messages) {
      const key = messageKey(message);
      if (!fresh.has(key) && !this.#history.has(message.room, message.id)) fresh.set(key, { ...message, _id: key });
    }
    if (fresh.size === 0) return;
    try {
      // One insert for the batch: NeDB applies it all or nothing in memory.
      await this.#messages.insertAsync([...fresh.values()]);
    } catch {
      // NeDB may hold in memory some of these that its file did not take (a failed write):
      // replacing each by its key writes it to the file, whether NeDB held it or not.
      for (const doc of fresh.values()) await this.#messages.updateAsync({ _id: doc._id }, doc, { upsert: true });
    }
    for (const doc of fresh.values()) this.#history.add(doc.room, doc.id, doc._id);
  }

  async listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]> {
    const keys = this.#history.page(room, query.before, query.limit);
    if (keys.length === 0) return [];
    // NeDB finds the page's documents through its _id index: one lookup per message of the page.
    const docs = (await this.#messages.findAsync({ _id: { $in: keys } })) as unknown as Doc[];
    const byKey = new Map(docs.map((doc) => [doc._id, doc]));
    return keys.flatMap((key) => {
      const doc = byKey.get(key);
      return doc ? [strip<ChatMessageRecord>(doc)] : [];
    });
  }

  async deleteMessages(room: string): Promise<number> {
    const removed = await this.#messages.removeAsync({ room }, { multi: true });
    this.#history.deleteRoom(room);
    return removed;
  }

  async addBan(ban: BanRecord): Promise<void> {
    await this.#bans.updateAsync({ id: ban.id }, { ...ban }, { upsert: true });
  }

  async listBans(now: number): Promise<BanRecord[]> {
    const docs = (await this.#bans
      .findAsync({ $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] })
      .sort({ createdAt: 1 })) as unknown as Doc[];
    return docs.map((d) => strip<BanRecord>(d));
  }

  async removeBan(id: string): Promise<boolean> {
    return (await this.#bans.removeAsync({ id }, { multi: false })) > 0;
  }

  async revokeTokens(revocation: RevocationRecord): Promise<void> {
    await this.#revocations.updateAsync({ user: revocation.user, room: revocation.room }, { ...revocation }, { upsert: true });
  }

  async listRevocations(since: number): Promise<RevocationRecord[]> {
    const docs = (await this.#revocations.findAsync({ revokedAt: { $gt: since } }).sort({ revokedAt: 1 })) as unknown as Doc[];
    return docs.map((d) => strip<RevocationRecord>(d));
  }

  async removeExpiredBans(now: number): Promise<number> {
    return this.#bans.removeAsync({ $and: [{ expiresAt: { $ne: null } }, { expiresAt: { $lte: now } }] }, { multi: true });
  }

  async getSettings(): Promise<GlobalSettings> {
    const doc = (await this.#settings.findOneAsync({ scope: 'global' })) as unknown as Doc | null;
    if (!doc) return DEFAULT_SETTINGS;
    const { scope: _scope, ...stored } = strip<Doc>(doc);
    return { ...DEFAULT_SETTINGS, ...(stored as Partial<GlobalSettings>) };
  }

  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    const next = { ...(await this.getSettings()), ...patch };
    await this.#settings.updateAsync({ scope: 'global' }, { scope: 'global', ...next }, { upsert: true });
    return next;
  }
}
