import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IpcError } from '../../src/ipc/IpcChannel.js';
import { DataCache } from '../../src/primary/DataCache.js';
import { MessageLog } from '../../src/primary/MessageLog.js';
import { PendingRoomWrites } from '../../src/primary/PendingRoomWrites.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { Store } from '../../src/store/Store.js';
import type { ChatMessageRecord } from '../../src/store/records.js';

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
const message = (i: number): ChatMessageRecord => ({ room: 'r', id: `m${String(i).padStart(6, '0')}`, user: 'u', name: 'U', text: `text ${i}`, ts: 1_000 + i });

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

  it('holds acknowledged messages while the store is down, serves them in history, and writes them all when it is back', async () => {
    const { store, setDown } = switchableStore(inner);
    const log = new MessageLog({ store, logger: silent, flushMs: 60_000, maxHeld: 150 });
    setDown(true);
    for (let i = 0; i < 100; i++) log.hold([message(i)]);
    await log.flush();
    expect(log.counters).toMatchObject({ held: 100, written: 0 });
    expect(log.counters.writeFailures).toBeGreaterThan(0);
    // History still answers: the newest messages are the held ones.
    expect((await log.history('r', undefined, 3)).map((m) => m.text)).toEqual(['text 97', 'text 98', 'text 99']);

    // Bounded: past maxHeld new messages are refused (the sender gets NOT_PERSISTED), never dropped silently.
    for (let i = 100; i < 150; i++) log.hold([message(i)]);
    expect(() => log.hold([message(150)])).toThrow(IpcError);
    expect(log.counters.refused).toBe(1);

    setDown(false);
    await log.flush();
    expect(log.counters).toMatchObject({ held: 0, written: 150 });
    const stored = await inner.listMessages('r', { limit: 1000 });
    expect(stored.map((m) => m.id)).toEqual(Array.from({ length: 150 }, (_, i) => message(i).id));
    await log.close();
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

  it('holds room creates and deletes while the store is down and writes them in order when it is back', async () => {
    const { store, setDown } = switchableStore(inner);
    await inner.saveRoom({ name: 'old', port: 34000, settings: {}, createdAt: 1 });
    const pending = new PendingRoomWrites(store, silent);
    setDown(true);
    expect(pending.save({ name: 'new', port: 34001, settings: {}, createdAt: 2 })).toBe(true);
    expect(pending.save({ name: 'brief', port: 34002, settings: {}, createdAt: 3 })).toBe(true);
    expect(pending.delete('brief')).toBe(true);
    expect(pending.delete('old')).toBe(true);
    expect(pending.size).toBe(2);
    await pending.flush();
    expect(pending.size).toBe(2);

    setDown(false);
    await pending.flush();
    expect(pending.size).toBe(0);
    expect((await inner.listRooms()).map((room) => room.name)).toEqual(['new']);
    pending.close();
  });
});
