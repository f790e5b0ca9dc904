import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from './schema.js';

/** Why a database could not be opened, said so an operator knows what to do. */
export class DatabaseOpenError extends Error {}

/**
 * Opens (creating when absent) the SQLite file the embedded store lives in: WAL (readers never
 * wait for the writer), synchronous=FULL (a commit is on disk when it returns), schema brought
 * up to date (the store's versioned migrations, or a small file's own `schema`). A file that is not a database, or is damaged, is never written to: the start stops
 * and says to restore a backup.
 */
export function openDatabase(dir: string, file: string, schema?: string): DatabaseSync {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new DatabaseOpenError(`DATA_DIR ${dir} is not a writable folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the server's user write access to it, or set DATA_DIR to one it can write`);
  }
  const existed = existsSync(file);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: 5_000 });
    // Reading the schema fails on a file that is not a database (or whose first pages are damaged).
    db.prepare('SELECT count(*) AS n FROM sqlite_schema').get();
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = OFF');
    if (schema === undefined) migrate(db, file);
    else db.exec(schema);
    return db;
  } catch (error) {
    db?.close();
    const reason = (error as Error).message;
    if (existed && /not a database|malformed|corrupt/i.test(reason)) {
      throw new DatabaseOpenError(`${file} is damaged (${reason}): it was left untouched; stop the server and restore a backup (see docs/operations.md)`);
    }
    throw new DatabaseOpenError(`cannot open ${file}: ${reason}`);
  }
}
