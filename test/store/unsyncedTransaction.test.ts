import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/openDatabase.js';
import { inUnsyncedTransaction } from '../../src/store/sqlite/transaction.js';

/** Webhook outcomes are written without an fsync of their own; every other write keeps synchronous=FULL. */
describe('inUnsyncedTransaction', () => {
  let dir: string;
  let db: DatabaseSync;
  const synchronous = () => (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'unsynced-'));
    db = openDatabase(dir, path.join(dir, 't.sqlite'), 'CREATE TABLE t (v INTEGER)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits with synchronous=NORMAL and puts FULL back for the next write', () => {
    expect(synchronous()).toBe(2);
    const during = inUnsyncedTransaction(db, () => {
      db.prepare('INSERT INTO t (v) VALUES (1)').run();
      return synchronous();
    });
    expect(during).toBe(1);
    expect(synchronous()).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });

  it('rolls a failed write back and still puts FULL back', () => {
    expect(() =>
      inUnsyncedTransaction(db, () => {
        db.prepare('INSERT INTO t (v) VALUES (1)').run();
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(synchronous()).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
  });
});
