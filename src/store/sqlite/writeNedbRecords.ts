import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BanRecord, ChatMessageRecord, GlobalSettings, RevocationRecord } from '../../contracts/records.js';
import type { RoomRecord } from '../Store.js';
import type { NedbKind } from './nedbFiles.js';

/** The previous version's live documents, checked. */
export interface NedbRecords {
  readonly rooms: readonly RoomRecord[];
  readonly messages: readonly ChatMessageRecord[];
  readonly bans: readonly BanRecord[];
  readonly settings: readonly Partial<GlobalSettings>[];
  readonly revocations: readonly RevocationRecord[];
}

export type NedbCounts = Readonly<Record<NedbKind, number>>;

/**
 * Writes the records into the tables, within the caller's transaction, and returns how many rows
 * each kind added. A row the database already holds is kept (the database is the newer of the
 * two), except that a revocation keeps the later time (it covers more tokens).
 */
export function writeNedbRecords(db: DatabaseSync, records: NedbRecords): NedbCounts {
  const added = (statement: StatementSync, ...values: Array<string | number | null>) => Number(statement.run(...values).changes);

  const room = db.prepare('INSERT INTO rooms (name, port, settings, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING');
  let rooms = 0;
  for (const r of records.rooms) rooms += added(room, r.name, r.port, JSON.stringify(r.settings), r.createdAt);

  const message = db.prepare('INSERT OR IGNORE INTO messages (room, id, user, name, text, ts, ref) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let messages = 0;
  for (const m of records.messages) messages += added(message, m.room, m.id, m.user, m.name, m.text, m.ts, m.ref ?? null);

  const ban = db.prepare('INSERT INTO bans (id, user, room, reason, created_at, expires_at, by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  let bans = 0;
  for (const b of records.bans) bans += added(ban, b.id, b.user, b.room, b.reason, b.createdAt, b.expiresAt, b.by ?? null);

  // '' stands for every room in this table (see SqliteStore).
  const revocation = db.prepare(
    'INSERT INTO revocations (user, room, revoked_at) VALUES (?, ?, ?) ON CONFLICT (user, room) DO UPDATE SET revoked_at = max(revoked_at, excluded.revoked_at)',
  );
  let revocations = 0;
  for (const r of records.revocations) revocations += added(revocation, r.user, r.room ?? '', r.revokedAt);

  // One global settings document; should there be several, the later ones' fields win.
  let settings = 0;
  if (records.settings.length > 0) {
    const merged = Object.assign({}, ...records.settings) as Partial<GlobalSettings>;
    settings = added(db.prepare("INSERT INTO settings (scope, value) VALUES ('global', ?) ON CONFLICT (scope) DO NOTHING"), JSON.stringify(merged));
  }

  return { rooms, messages, bans, settings, revocations };
}
