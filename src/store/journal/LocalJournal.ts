import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ChatMessageRecord, RoomRecord } from '../records.js';
import { openDatabase } from '../sqlite/openDatabase.js';
import { inTransaction } from '../sqlite/transaction.js';

export const JOURNAL_FILE = 'journal.sqlite';

/** One write the remote store has not taken yet, in the order it was made. */
export type JournalEntry =
  | { readonly seq: number; readonly kind: 'message'; readonly record: ChatMessageRecord }
  | { readonly seq: number; readonly kind: 'saveRoom'; readonly record: RoomRecord }
  | { readonly seq: number; readonly kind: 'deleteRoom'; readonly room: string }
  | { readonly seq: number; readonly kind: 'deleteMessages'; readonly room: string };

/** Thrown when the journal holds its maximum: the write is refused, never dropped silently. */
export class JournalFullError extends Error {}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    room TEXT NOT NULL,
    id TEXT,
    body TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS entries_messages ON entries (room, id) WHERE kind = 'message';
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
    default:
      return { seq, kind: 'deleteMessages', room: row.room as string };
  }
}

/**
 * The primary's local, durable record of the writes MongoDB could not take while it was
 * unreachable (a SQLite file in DATA_DIR, synchronous=FULL): what was acknowledged is on this
 * machine's disk until MongoDB has it. Entries are replayed in order and removed once taken.
 */
export class LocalJournal {
  readonly #dir: string;
  readonly #maxEntries: number;
  #db: DatabaseSync | undefined;
  #s: ReturnType<LocalJournal['prepare']> | undefined;
  #depth = 0;

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

  open(): void {
    if (this.#db) return;
    const db = openDatabase(this.#dir, this.file, SCHEMA);
    this.#db = db;
    this.#s = this.prepare(db);
    this.#depth = Number((this.#s.count.get() as { n: number }).n);
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
      insert: s('INSERT INTO entries (kind, room, id, body) VALUES (?, ?, ?, ?)'),
      oldest: s('SELECT * FROM entries ORDER BY seq LIMIT ?'),
      removeUpTo: s('DELETE FROM entries WHERE seq <= ?'),
      newestOfRoom: s("SELECT * FROM entries WHERE kind = 'message' AND room = ? ORDER BY id DESC LIMIT ?"),
      beforeOfRoom: s("SELECT * FROM entries WHERE kind = 'message' AND room = ? AND id < ? ORDER BY id DESC LIMIT ?"),
      messagesOfRoom: s("DELETE FROM entries WHERE kind = 'message' AND room = ?"),
      withRef: s("SELECT * FROM entries WHERE kind = 'message' ORDER BY seq"),
      roomOps: s("SELECT * FROM entries WHERE kind IN ('saveRoom', 'deleteRoom') ORDER BY seq"),
    };
  }

  get #statements() {
    if (!this.#s || !this.#db) throw new Error('journal is closed');
    return this.#s;
  }

  appendMessages(messages: readonly ChatMessageRecord[]): void {
    this.#room(messages.length);
    const s = this.#statements;
    inTransaction(this.#db!, () => {
      for (const m of messages) s.insert.run('message', m.room, m.id, JSON.stringify(m));
    });
    this.#depth += messages.length;
  }

  saveRoom(record: RoomRecord): void {
    this.#room(1);
    this.#statements.insert.run('saveRoom', record.name, null, JSON.stringify(record));
    this.#depth += 1;
  }

  deleteRoom(name: string): void {
    this.#room(1);
    this.#statements.insert.run('deleteRoom', name, null, null);
    this.#depth += 1;
  }

  /** Records the deletion and drops the room's messages waiting here: they would be deleted anyway. Resolves with how many. */
  deleteMessages(room: string): number {
    this.#room(1);
    const s = this.#statements;
    const dropped = inTransaction(this.#db!, () => {
      const removed = Number(s.messagesOfRoom.run(room).changes);
      s.insert.run('deleteMessages', room, null, null);
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

  messagesWithRef(since: number): ChatMessageRecord[] {
    return this.#statements.withRef
      .all()
      .map((row) => JSON.parse(row.body as string) as ChatMessageRecord)
      .filter((m) => m.ref !== undefined && m.ts > since);
  }

  /** Room saves and deletes waiting here, in order. */
  roomOps(): JournalEntry[] {
    return this.#statements.roomOps.all().map(entryOf);
  }

  #room(entries: number): void {
    if (this.#depth + entries > this.#maxEntries) {
      throw new JournalFullError(`the local journal holds ${this.#depth} writes waiting for MongoDB (STORE_JOURNAL_MAX_ENTRIES=${this.#maxEntries}); refusing more until MongoDB is back`);
    }
  }
}
