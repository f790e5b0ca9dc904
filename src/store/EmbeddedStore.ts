import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import NedbModule from '@seald-io/nedb';
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
    if (messages.length === 0) return;
    try {
      // One insert for the batch: NeDB applies it all or nothing.
      await this.#messages.insertAsync(messages.map((message) => ({ ...message })));
    } catch {
      // A message of the batch is stored already (a batch sent again): upsert one by one.
      for (const message of messages) {
        await this.#messages.updateAsync({ room: message.room, id: message.id }, { ...message }, { upsert: true });
      }
    }
  }

  async listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]> {
    const filter: Doc = query.before === undefined ? { room } : { room, id: { $lt: query.before } };
    const docs = (await this.#messages.findAsync(filter).sort({ id: -1 }).limit(query.limit)) as unknown as Doc[];
    return docs.map((d) => strip<ChatMessageRecord>(d)).reverse();
  }

  async deleteMessages(room: string): Promise<number> {
    return this.#messages.removeAsync({ room }, { multi: true });
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
