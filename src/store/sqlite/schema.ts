import type { DatabaseSync } from 'node:sqlite';

/**
 * The embedded database's schema, as numbered steps. `PRAGMA user_version` records the last
 * step applied; a start applies the missing ones in one transaction each, so a database made by
 * any earlier version opens, and one made by a later version is refused (its schema is unknown).
 */
const MIGRATIONS: readonly string[] = [
  // 1: the first SQLite schema.
  `
  CREATE TABLE rooms (
    name TEXT PRIMARY KEY,
    port INTEGER NOT NULL,
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  -- Clustered by (room, id): a history page is one range scan of the primary key.
  CREATE TABLE messages (
    room TEXT NOT NULL,
    id TEXT NOT NULL,
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    ref TEXT,
    PRIMARY KEY (room, id)
  ) STRICT, WITHOUT ROWID;
  -- Retention prunes by age across rooms.
  CREATE INDEX messages_by_ts ON messages (ts);

  CREATE TABLE bans (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    room TEXT,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    by TEXT
  ) STRICT;
  CREATE INDEX bans_by_expiry ON bans (expires_at);

  -- room '' stands for every room, so (user, room) can be the key.
  CREATE TABLE revocations (
    user TEXT NOT NULL,
    room TEXT NOT NULL,
    revoked_at INTEGER NOT NULL,
    PRIMARY KEY (user, room)
  ) STRICT;
  CREATE INDEX revocations_by_time ON revocations (revoked_at);

  CREATE TABLE settings (
    scope TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // 2: facts about the database itself (e.g. that the previous version's NeDB files were imported).
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // 3: recordings of broadcasts (their media are files in RECORDINGS_DIR).
  `
  CREATE TABLE recordings (
    room TEXT NOT NULL,
    id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration REAL NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (room, id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX recordings_by_start ON recordings (started_at);
  `,
  // 4: webhook endpoints and the outbox (events, and one delivery per event and endpoint).
  `
  CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT,
    rooms TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_expires_at INTEGER,
    enabled INTEGER NOT NULL,
    disabled_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    room TEXT,
    timestamp INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX webhook_events_by_time ON webhook_events (timestamp);

  CREATE TABLE webhook_deliveries (
    endpoint TEXT NOT NULL,
    event TEXT NOT NULL,
    type TEXT NOT NULL,
    room TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (endpoint, event)
  ) STRICT, WITHOUT ROWID;
  -- What is still to deliver, in event order (the start-up load); what pruning may drop.
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (event, endpoint) WHERE status IN ('pending', 'failed');
  CREATE INDEX webhook_deliveries_settled ON webhook_deliveries (updated_at) WHERE status IN ('delivered', 'dead');
  CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event);
  `,
  // 5: what is still to deliver is read per endpoint, oldest first (the dispatcher pages it in
  // as its memory-held deliveries settle), not across endpoints any more.
  `
  DROP INDEX webhook_deliveries_due;
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint, event) WHERE status IN ('pending', 'failed');
  `,
  // 6: a delivery carries its event (type, room, timestamp, data): one row and one index entry
  // per event and endpoint in a chat commit, where events, their time index and a delivery index
  // by event made it five (every page they touch is written to the WAL and synced with the
  // commit). Endpoints are few, so the repeated data is small; replay by time bounds its scan
  // with event ids, which sort by time.
  `
  CREATE TABLE webhook_deliveries_v6 (
    endpoint TEXT NOT NULL,
    event TEXT NOT NULL,
    type TEXT NOT NULL,
    room TEXT,
    timestamp INTEGER NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (endpoint, event)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO webhook_deliveries_v6
    SELECT d.endpoint, d.event, d.type, d.room, e.timestamp, e.data, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.updated_at
    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event;
  DROP TABLE webhook_deliveries;
  DROP TABLE webhook_events;
  ALTER TABLE webhook_deliveries_v6 RENAME TO webhook_deliveries;
  -- What is still to deliver, per endpoint in event order; what pruning may drop.
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint, event) WHERE status IN ('pending', 'failed');
  CREATE INDEX webhook_deliveries_settled ON webhook_deliveries (updated_at) WHERE status IN ('delivered', 'dead');
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema to SCHEMA_VERSION (or `target`, an older step, for tests of later steps). Throws on a database from a newer version. */
export function migrate(db: DatabaseSync, file: string, target = SCHEMA_VERSION): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current > SCHEMA_VERSION) {
    throw new Error(`${file} has schema version ${current}, newer than this server's ${SCHEMA_VERSION}: run the newer server, or restore a backup`);
  }
  for (let version = current + 1; version <= target; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[version - 1]!);
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
