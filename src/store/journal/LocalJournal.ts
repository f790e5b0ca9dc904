import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ChatMessageRecord } from '../../contracts/records.js';
import type { OutboxEntry } from '../../contracts/webhookRecords.js';
import type { RoomRecord } from '../Store.js';
import { openDatabase } from '../sqlite/openDatabase.js';
import { inTransaction } from '../sqlite/transaction.js';

export const JOURNAL_FILE = 'journal.sqlite';

/** One write the remote store has not taken yet, in the order it was made. */
export type JournalEntry =
  | { readonly seq: number; readonly kind: 'message'; readonly record: ChatMessageRecord }
  | { readonly seq: number; readonly kind: 'saveRoom'; readonly record: RoomRecord }
  | { readonly seq: number; readonly kind: 'deleteRoom'; readonly room: string }
  | { readonly seq: number; readonly kind: 'deleteMessages'; readonly room: string }
  | { readonly seq: number; readonly kind: 'outbox'; readonly entries: readonly OutboxEntry[] };

/** Thrown when the journal holds its maximum: the write is refused, never dropped silently. */
export class JournalFullError extends Error {}

/**
 * `entries` is the queue MongoDB has not taken yet; a message's `ts` is a column so the resend
 * check's recent window is found by index instead of by parsing every journaled message.
 * `set_aside` keeps, with MongoDB's answer, the entries a replay could not write because MongoDB
 * refused them (not an outage): out of the queue so the rest goes on, and there for an operator.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    room TEXT NOT NULL,
    id TEXT,
    ts INTEGER,
    body TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS entries_messages ON entries (room, id) WHERE kind = 'message';
  CREATE INDEX IF NOT EXISTS entries_refs ON entries (ts) WHERE kind = 'message' AND json_extract(body, '$.ref') IS NOT NULL;
  CREATE TABLE IF NOT EXISTS set_aside (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    room TEXT NOT NULL,
    id TEXT,
    ts INTEGER,
    body TEXT,
    error TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
`;

type Row = Record<string, unknown>;

function entryOf(row: Row): JournalEntry {
  const seq = row.seq as number;
  switch (row.kind) {
    case 'message':
      return { seq, kind: 'message', record: JSON.parse(row.body as string) as ChatMessageRecord };
    case 'saveRoom':
      return { seq, kind: 'saveRoom', record: JSON.parse(row.body as string) as RoomRecord };
    case 'deleteRoom':
      return { seq, kind: 'deleteRoom', room: row.room as string };
    case 'outbox':
      return { seq, kind: 'outbox', entries: JSON.parse(row.body as string) as OutboxEntry[] };
    case 'deleteMessages':
      return { seq, kind: 'deleteMessages', room: row.room as string };
    default:
      // A kind this version does not know (a newer one wrote it, then was rolled back) is passed
      // over as an empty outbox: never read as some other, destructive, write.
      return { seq, kind: 'outbox', entries: [] };
  }
}

/**
 * The primary's local, durable record of the writes MongoDB could not take while it was
 * unreachable (a SQLite file in DATA_DIR, synchronous=FULL): what was acknowledged is on this
 * machine's disk until MongoDB has it. Entries are replayed in order and removed once taken, or
 * set aside (kept in their own table) when MongoDB refuses one for good.
 */
export class LocalJournal {
  readonly #dir: string;
  readonly #maxEntries: number;
  #db: DatabaseSync | undefined;
  #s: ReturnType<LocalJournal['prepare']> | undefined;
  #depth = 0;
  #setAside = 0;

  constructor(dataDir: string, maxEntries: number) {
    this.#dir = dataDir;
    this.#maxEntries = maxEntries;
  }

  get file(): string {
    return path.join(this.#dir, JOURNAL_FILE);
  }

  /** Entries waiting for the remote store. */
  get depth(): number {
    return this.#depth;
  }

  /** Entries the remote store refused in a replay, kept in the `set_aside` table for an operator. */
  get setAside(): number {
    return this.#setAside;
  }

  open(): void {
    if (this.#db) return;
    const db = openDatabase(this.#dir, this.file, SCHEMA);
    this.#db = db;
    this.#s = this.prepare(db);
    this.#depth = Number((this.#s.count.get() as { n: number }).n);
    this.#setAside = Number((this.#s.countSetAside.get() as { n: number }).n);
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
    this.#s = undefined;
  }

  private prepare(db: DatabaseSync) {
    const s = (sql: string): StatementSync => db.prepare(sql);
    return {
      count: s('SELECT count(*) AS n FROM entries'),
      countSetAside: s('SELECT count(*) AS n FROM set_aside'),
      insert: s('INSERT INTO entries (kind, room, id, ts, body) VALUES (?, ?, ?, ?, ?)'),
      oldest: s('SELECT * FROM entries ORDER BY seq LIMIT ?'),
      removeUpTo: s('DELETE FROM entries WHERE seq <= ?'),
      newestOfRoom: s("SELECT * FROM entries WHERE kind = 'message' AND room = ? ORDER BY id DESC LIMIT ?"),
      beforeOfRoom: s("SELECT * FROM entries WHERE kind = 'message' AND room = ? AND id < ? ORDER BY id DESC LIMIT ?"),
      messagesOfRoom: s("DELETE FROM entries WHERE kind = 'message' AND room = ?"),
      withRef: s("SELECT body FROM entries WHERE kind = 'message' AND json_extract(body, '$.ref') IS NOT NULL AND ts > ? ORDER BY ts, seq"),
      copyAside: s('INSERT INTO set_aside (seq, kind, room, id, ts, body, error, at) SELECT seq, kind, room, id, ts, body, ?, ? FROM entries WHERE seq = ?'),
      remove: s('DELETE FROM entries WHERE seq = ?'),
      roomOps: s("SELECT * FROM entries WHERE kind IN ('saveRoom', 'deleteRoom') ORDER BY seq"),
    };
  }

  get #statements() {
    if (!this.#s || !this.#db) throw new Error('journal is closed');
    return this.#s;
  }

  /**
   * Messages, and the webhook outbox entries of their commit after them, in one transaction: the
   * outbox travels with the write that raised it (an `outbox` entry, replayed into the store's
   * outbox right after the write).
   */
  appendMessages(messages: readonly ChatMessageRecord[], outbox: readonly OutboxEntry[] = []): void {
    const extra = outbox.length > 0 ? 1 : 0;
    this.#room(messages.length + extra);
    const s = this.#statements;
    inTransaction(this.#db!, () => {
      for (const m of messages) s.insert.run('message', m.room, m.id, m.ts, JSON.stringify(m));
      if (extra) this.#insertOutbox(outbox);
    });
    this.#depth += messages.length + extra;
  }

  saveRoom(record: RoomRecord, outbox: readonly OutboxEntry[] = []): void {
    this.#withOutbox(outbox, () => this.#statements.insert.run('saveRoom', record.name, null, null, JSON.stringify(record)));
  }

  deleteRoom(name: string, outbox: readonly OutboxEntry[] = []): void {
    this.#withOutbox(outbox, () => this.#statements.insert.run('deleteRoom', name, null, null, null));
  }

  /** Webhook events raised with no other write (presence, moderation, streams): one entry. */
  appendOutbox(outbox: readonly OutboxEntry[]): void {
    if (outbox.length === 0) return;
    this.#withOutbox(outbox, undefined);
  }

  /** Records the deletion and drops the room's messages waiting here: they would be deleted anyway. Resolves with how many. */
  deleteMessages(room: string): number {
    this.#room(1);
    const s = this.#statements;
    const dropped = inTransaction(this.#db!, () => {
      const removed = Number(s.messagesOfRoom.run(room).changes);
      s.insert.run('deleteMessages', room, null, null, null);
      return removed;
    });
    this.#depth += 1 - dropped;
    return dropped;
  }

  /** The oldest `limit` entries, in the order they were written. */
  oldest(limit: number): JournalEntry[] {
    return this.#statements.oldest.all(limit).map(entryOf);
  }

  /** Forgets every entry up to `seq`: the remote store has them. */
  removeUpTo(seq: number): void {
    this.#depth -= Number(this.#statements.removeUpTo.run(seq).changes);
  }

  /** A page of a room's messages waiting here, oldest first (the same page rule as the store's). */
  listMessages(room: string, before: string | undefined, limit: number): ChatMessageRecord[] {
    const s = this.#statements;
    const rows = before === undefined ? s.newestOfRoom.all(room, limit) : s.beforeOfRoom.all(room, before, limit);
    return rows.reverse().map((row) => JSON.parse(row.body as string) as ChatMessageRecord);
  }

  /** Journaled messages sent with a ref after `since` (ts), oldest first: a range of the `entries_refs` index. */
  messagesWithRef(since: number): ChatMessageRecord[] {
    return this.#statements.withRef.all(since).map((row) => JSON.parse(row.body as string) as ChatMessageRecord);
  }

  /**
   * Moves the entry `seq` out of the queue into `set_aside`, with why the remote store refused
   * it and when: kept for an operator, never dropped, and no longer in the replay's way.
   */
  setEntryAside(seq: number, reason: string): void {
    const s = this.#statements;
    const moved = inTransaction(this.#db!, () => {
      if (Number(s.copyAside.run(reason, Date.now(), seq).changes) === 0) return 0;
      return Number(s.remove.run(seq).changes);
    });
    this.#depth -= moved;
    this.#setAside += moved;
  }

  /** Room saves and deletes waiting here, in order. */
  roomOps(): JournalEntry[] {
    return this.#statements.roomOps.all().map(entryOf);
  }

  /** One write (or none) and its outbox entries after it, in one transaction. */
  #withOutbox(outbox: readonly OutboxEntry[], write: (() => unknown) | undefined): void {
    const rows = (write ? 1 : 0) + (outbox.length > 0 ? 1 : 0);
    this.#room(rows);
    inTransaction(this.#db!, () => {
      write?.();
      if (outbox.length > 0) this.#insertOutbox(outbox);
    });
    this.#depth += rows;
  }

  #insertOutbox(outbox: readonly OutboxEntry[]): void {
    // No room in the row: a release before the outbox read unknown kinds as deleteMessages(room),
    // so a journal rolled back to it would have wiped the room's history.
    this.#statements.insert.run('outbox', '', null, null, JSON.stringify(outbox));
  }

  #room(entries: number): void {
    if (this.#depth + entries > this.#maxEntries) {
      throw new JournalFullError(`the local journal holds ${this.#depth} writes waiting for MongoDB (STORE_JOURNAL_MAX_ENTRIES=${this.#maxEntries}); refusing more until MongoDB is back`);
    }
  }
}
