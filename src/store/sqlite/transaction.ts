import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE: the write lock is taken up front, so
 * the commit cannot fail for a reader's sake). Any error rolls everything back and is rethrown:
 * a failed batch (a full disk) leaves nothing half-written.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may have rolled back already (a full disk does): only roll back what is still open.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
