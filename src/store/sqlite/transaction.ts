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

/**
 * inTransaction without an fsync of its own, for writes whose loss on a power failure only
 * repeats work (a webhook attempt's outcome: the delivery is made again, at least once holds).
 * In WAL mode, synchronous=NORMAL writes the commit to the WAL (the OS has it: a crash of the
 * process loses nothing) and leaves the sync to the next FULL commit, whose fsync of the WAL
 * carries it too; WAL commits become durable in order, so a power failure forgets a suffix of
 * them, never one in the middle. `node:sqlite` is synchronous: an fsync here would hold the
 * primary's event loop, and with it every chat commit, as long as the disk takes.
 */
export function inUnsyncedTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return inTransaction(db, work);
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}
