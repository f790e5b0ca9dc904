import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { MongoStore } from '../../src/store/MongoStore.js';
import type { Store } from '../../src/store/Store.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';

/** A store the contract suites run against. */
export interface Target {
  name: string;
  /** A fresh, open store over the same data as the previous one (`reopen`) or over new data. */
  make(reopen: boolean): Promise<Store>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  let dir = '';
  return {
    name: 'embedded (SQLite)',
    async make(reopen) {
      if (!reopen) dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
      const store = new SqliteStore(dir);
      await store.open();
      return store;
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mongoTarget(uri: string): Target {
  let dbUri = '';
  const made: Store[] = [];
  return {
    name: 'mongodb',
    async make(reopen) {
      if (!reopen) {
        const url = new URL(uri);
        url.pathname = `/chatserver_test_${process.pid}_${Date.now()}`;
        dbUri = url.toString();
      }
      const store = new MongoStore(dbUri);
      await store.open();
      made.push(store);
      return store;
    },
    async cleanup() {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(dbUri);
      await client.db().dropDatabase();
      await client.close();
      await Promise.all(made.splice(0).map((s) => s.close()));
    },
  };
}

/** The embedded store always; MongoDB too when MONGODB_URI is set (a fresh database per test, dropped after). */
export function storeTargets(): Target[] {
  const uri = process.env.MONGODB_URI;
  return uri ? [sqliteTarget(), mongoTarget(uri)] : [sqliteTarget()];
}

/**
 * A fresh store of `target` for every test of the suite: opened before each (`set`), and after
 * each the current one closed (`get`: a test may have reopened it) and its data removed.
 */
export function freshStoreEachTest(target: Target, get: () => Store | undefined, set: (store: Store) => void): void {
  beforeEach(async () => set(await target.make(false)));
  afterEach(async () => {
    await get()?.close();
    await target.cleanup();
  });
}
