import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Logger } from '../../kit/createLogger.js';
import type { HistoryQuery, RoomRecord, Store, TimeSpanQuery } from '../Store.js';
import {
  DEFAULT_SETTINGS,
  type BanRecord,
  type ChatMessageRecord,
  type GlobalSettings,
  type RevocationRecord,
} from '../../contracts/records.js';
import type { PruneRule } from '../retention.js';
import { HistoryMaintenance } from './historyMaintenance.js';
import { importNedbFiles } from './importNedb.js';
import type { NedbImportReport } from './nedbImportReport.js';
import { onlineBackup } from './onlineBackup.js';
import { openDatabase } from './openDatabase.js';
import { inTransaction } from './transaction.js';
import { SqliteRecordings } from './SqliteRecordings.js';
import { SqliteWebhooks } from './SqliteWebhooks.js';
import type { OutboxEntry } from '../../contracts/webhookRecords.js';

/** The database file in DATA_DIR. */
export const DATABASE_FILE = 'chatserver.sqlite';

type Row = Record<string, unknown>;

const roomOf = (row: Row): RoomRecord => ({
  name: row.name as string,
  port: row.port as number,
  settings: JSON.parse(row.settings as string) as RoomRecord['settings'],
  createdAt: row.created_at as number,
});

export const messageOf = (row: Row): ChatMessageRecord => ({
  room: row.room as string,
  id: row.id as string,
  user: row.user as string,
  name: row.name as string,
  text: row.text as string,
  ts: row.ts as number,
  ...(row.ref === null || row.ref === undefined ? {} : { ref: row.ref as string }),
});

const banOf = (row: Row): BanRecord => ({
  id: row.id as string,
  user: row.user as string,
  room: row.room as string | null,
  reason: row.reason as string,
  createdAt: row.created_at as number,
  expiresAt: row.expires_at as number | null,
  ...(row.by === null ? {} : { by: row.by as string }),
});

/** '' in the revocations table stands for "every room". */
const revocationOf = (row: Row): RevocationRecord => ({
  user: row.user as string,
  room: row.room === '' ? null : (row.room as string),
  revokedAt: row.revoked_at as number,
});

/** The statements the store runs, prepared once at open. */
function prepare(db: DatabaseSync) {
  const s = (sql: string): StatementSync => db.prepare(sql);
  return {
    listRooms: s('SELECT * FROM rooms ORDER BY created_at, name'),
    getRoom: s('SELECT * FROM rooms WHERE name = ?'),
    saveRoom: s(
      'INSERT INTO rooms (name, port, settings, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET port = excluded.port, settings = excluded.settings, created_at = excluded.created_at',
    ),
    deleteRoom: s('DELETE FROM rooms WHERE name = ?'),
    insertMessage: s('INSERT OR IGNORE INTO messages (room, id, user, name, text, ts, ref) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    newestMessages: s('SELECT * FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?'),
    messagesBefore: s('SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?'),
    messagesWithRefSince: s('SELECT * FROM messages WHERE ts > ? AND ref IS NOT NULL ORDER BY ts'),
    deleteMessages: s('DELETE FROM messages WHERE room = ?'),
    saveBan: s(
      'INSERT INTO bans (id, user, room, reason, created_at, expires_at, by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET user = excluded.user, room = excluded.room, reason = excluded.reason, created_at = excluded.created_at, expires_at = excluded.expires_at, by = excluded.by',
    ),
    listBans: s('SELECT * FROM bans WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at, id'),
    removeBan: s('DELETE FROM bans WHERE id = ?'),
    removeExpiredBans: s('DELETE FROM bans WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    saveRevocation: s('INSERT INTO revocations (user, room, revoked_at) VALUES (?, ?, ?) ON CONFLICT (user, room) DO UPDATE SET revoked_at = excluded.revoked_at'),
    listRevocations: s('SELECT * FROM revocations WHERE revoked_at > ? ORDER BY revoked_at'),
    getSettings: s("SELECT value FROM settings WHERE scope = 'global'"),
    saveSettings: s("INSERT INTO settings (scope, value) VALUES ('global', ?) ON CONFLICT (scope) DO UPDATE SET value = excluded.value"),
  };
}

type Statements = ReturnType<typeof prepare>;

export interface SqliteStoreOptions {
  /** Where the store says what it did at open (the import of the previous version's files). */
  readonly logger?: Logger;
}

/**
 * The default store: one SQLite file in DATA_DIR (node:sqlite, no native module, no database
 * server). Every write is one transaction, on disk when it resolves (WAL, synchronous=FULL).
 * Only the primary opens it for writing.
 */
export class SqliteStore implements Store {
  readonly kind = 'embedded' as const;
  readonly #dir: string;
  readonly #logger: Logger | undefined;
  readonly file: string;
  #db: DatabaseSync | undefined;
  #statements: Statements | undefined;
  #opening: Promise<void> | undefined;
  #maintenance: HistoryMaintenance | undefined;
  #recordings: SqliteRecordings | undefined;
  #webhooks: SqliteWebhooks | undefined;
  /** What the last open() did with the previous version's NeDB files; undefined when there were none. */
  lastImport: NedbImportReport | undefined;

  constructor(dataDir: string, options: SqliteStoreOptions = {}) {
    this.#dir = dataDir;
    this.#logger = options.logger;
    this.file = path.join(dataDir, DATABASE_FILE);
  }

  /** The open database, for the store's own helpers (migration, backup, pruning). */
  get database(): DatabaseSync {
    if (!this.#db) throw new Error('store is closed');
    return this.#db;
  }

  get recordings(): SqliteRecordings {
    if (!this.#recordings) throw new Error('store is closed');
    return this.#recordings;
  }

  get webhooks(): SqliteWebhooks {
    if (!this.#webhooks) throw new Error('store is closed');
    return this.#webhooks;
  }

  get #s(): Statements {
    if (!this.#statements) throw new Error('store is closed');
    return this.#statements;
  }

  get #history(): HistoryMaintenance {
    if (!this.#maintenance) throw new Error('store is closed');
    return this.#maintenance;
  }

  async open(): Promise<void> {
    if (this.#db) return;
    // The NeDB import awaits its reads: a second open() meanwhile waits for the same one.
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #open(): Promise<void> {
    const db = openDatabase(this.#dir, this.file);
    try {
      this.lastImport = await importNedbFiles(db, this.#dir, this.#logger);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    this.#statements = prepare(db);
    this.#maintenance = new HistoryMaintenance(db, messageOf);
    this.#recordings = new SqliteRecordings(db);
    this.#webhooks = new SqliteWebhooks(db);
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#statements = undefined;
    this.#maintenance = undefined;
    this.#recordings = undefined;
    this.#webhooks = undefined;
    db?.close();
  }

  async ping(): Promise<void> {
    this.#s.getSettings.get();
  }

  async listRooms(): Promise<RoomRecord[]> {
    return this.#s.listRooms.all().map(roomOf);
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    const row = this.#s.getRoom.get(name);
    return row ? roomOf(row) : null;
  }

  async saveRoom(room: RoomRecord, outbox: readonly OutboxEntry[] = []): Promise<void> {
    inTransaction(this.database, () => {
      this.#s.saveRoom.run(room.name, room.port, JSON.stringify(room.settings), room.createdAt);
      this.webhooks.insert(outbox);
    });
  }

  async deleteRoom(name: string, outbox: readonly OutboxEntry[] = []): Promise<boolean> {
    return inTransaction(this.database, () => {
      const removed = Number(this.#s.deleteRoom.run(name).changes) > 0;
      if (removed) this.webhooks.insert(outbox);
      return removed;
    });
  }

  async appendMessages(messages: readonly ChatMessageRecord[], outbox: readonly OutboxEntry[] = []): Promise<void> {
    if (messages.length === 0 && outbox.length === 0) return;
    const insert = this.#s.insertMessage;
    const webhooks = this.webhooks;
    inTransaction(this.database, () => {
      for (const m of messages) insert.run(m.room, m.id, m.user, m.name, m.text, m.ts, m.ref ?? null);
      webhooks.insert(outbox);
    });
  }

  async listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]> {
    const limit = Math.max(0, query.limit);
    const rows = query.before === undefined ? this.#s.newestMessages.all(room, limit) : this.#s.messagesBefore.all(room, query.before, limit);
    return rows.reverse().map(messageOf);
  }

  async listMessagesWithRef(since: number): Promise<ChatMessageRecord[]> {
    return this.#s.messagesWithRefSince.all(since).map(messageOf);
  }

  async deleteMessages(room: string): Promise<number> {
    return Number(this.#s.deleteMessages.run(room).changes);
  }

  async listMessagesAfter(room: string, after: string | undefined, limit: number): Promise<ChatMessageRecord[]> {
    return this.#history.messagesAfter(room, after, limit);
  }

  async listMessagesBetween(room: string, span: TimeSpanQuery): Promise<ChatMessageRecord[]> {
    return this.#history.messagesBetween(room, span);
  }

  async pruneMessages(room: string, rule: PruneRule, limit: number): Promise<number> {
    return this.#history.prune(room, rule, limit);
  }

  async listMessageRooms(after: string | undefined, limit: number): Promise<string[]> {
    return this.#history.roomsAfter(after, limit);
  }

  /** An online backup (see onlineBackup): the server keeps writing while it runs. */
  async backup(file: string): Promise<void> {
    if (!this.#db) throw new Error('store is closed');
    await onlineBackup(this.file, file);
  }

  async addBan(ban: BanRecord): Promise<void> {
    this.#s.saveBan.run(ban.id, ban.user, ban.room, ban.reason, ban.createdAt, ban.expiresAt, ban.by ?? null);
  }

  async listBans(now: number): Promise<BanRecord[]> {
    return this.#s.listBans.all(now).map(banOf);
  }

  async removeBan(id: string): Promise<boolean> {
    return Number(this.#s.removeBan.run(id).changes) > 0;
  }

  async removeExpiredBans(now: number): Promise<number> {
    return Number(this.#s.removeExpiredBans.run(now).changes);
  }

  async revokeTokens(revocation: RevocationRecord): Promise<void> {
    this.#s.saveRevocation.run(revocation.user, revocation.room ?? '', revocation.revokedAt);
  }

  async listRevocations(since: number): Promise<RevocationRecord[]> {
    return this.#s.listRevocations.all(since).map(revocationOf);
  }

  async getSettings(): Promise<GlobalSettings> {
    const row = this.#s.getSettings.get();
    if (!row) return DEFAULT_SETTINGS;
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(row.value as string) as Partial<GlobalSettings>) };
  }

  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    return inTransaction(this.database, () => {
      const row = this.#s.getSettings.get();
      const current = row ? { ...DEFAULT_SETTINGS, ...(JSON.parse(row.value as string) as Partial<GlobalSettings>) } : DEFAULT_SETTINGS;
      const next = { ...current, ...patch };
      this.#s.saveSettings.run(JSON.stringify(next));
      return next;
    });
  }
}
