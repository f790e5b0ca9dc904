import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataCache } from '../../src/primary/DataCache.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { Store } from '../../src/store/Store.js';

const LIFECYCLE = new Set(['kind', 'open', 'close']);

/**
 * A real embedded store behind a switch: while `down`, every data call fails as an unreachable
 * database would. Injected through the Store interface, as the primary's components see it.
 */
function switchableStore(inner: Store): { store: Store; setDown: (down: boolean) => void } {
  let down = false;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (LIFECYCLE.has(String(property))) return method;
      return (...args: unknown[]) => (down ? Promise.reject(new Error('connection refused: store unreachable')) : method(...args));
    },
  });
  return { store, setDown: (value) => (down = value) };
}

const silent = pino({ level: 'silent' });

describe('store outage (a failing store injected through the Store interface)', () => {
  let dir: string;
  let inner: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'outage-'));
    inner = new SqliteStore(dir);
    await inner.open();
  });
  afterEach(async () => {
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving the last good settings and bans from the cache while the store is down', async () => {
    const { store, setDown } = switchableStore(inner);
    await inner.updateSettings({ welcomeText: 'cached welcome' });
    const published: number[] = [];
    const cache = new DataCache({ store, refreshMs: 60_000, logger: silent, publish: (snapshot) => published.push(snapshot.version) });
    await cache.start();
    expect(cache.snapshot().settings.welcomeText).toBe('cached welcome');

    setDown(true);
    await cache.refresh();
    expect(cache.counters.failures).toBe(1);
    expect(cache.snapshot().settings.welcomeText).toBe('cached welcome');

    setDown(false);
    await inner.updateSettings({ welcomeText: 'new welcome' });
    await cache.refresh();
    expect(cache.snapshot().settings.welcomeText).toBe('new welcome');
    expect(published.length).toBe(2);
    cache.close();
  });
});
