import type { DatabaseSync } from 'node:sqlite';

/**
 * The `meta` table: JSON values under a key, for facts about the database rather than chat data
 * (that the NeDB files were imported). Written inside the caller's transaction when there is one,
 * so such a fact commits together with the change it describes.
 */
export function readMeta(db: DatabaseSync, key: string): unknown {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
  return row ? (JSON.parse(row.value as string) as unknown) : undefined;
}

export function writeMeta(db: DatabaseSync, key: string, value: unknown): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}
