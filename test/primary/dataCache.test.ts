import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheDelta } from '../../src/contracts/ipc.js';
import { DataCache } from '../../src/primary/DataCache.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { BanRecord } from '../../src/contracts/records.js';

const silent = pino({ level: 'silent' });
const ban = (id: string, extra: Partial<BanRecord> = {}): BanRecord => ({ id, user: `u-${id}`, room: 'r', reason: '', createdAt: 1, expiresAt: null, ...extra });

describe('DataCache (settings and bans pushed to workers as changes)', () => {
  let dir: string;
  let store: SqliteStore;
  let published: CacheDelta[];
  let cache: DataCache;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'data-cache-'));
    store = new SqliteStore(dir);
    await store.open();
    published = [];
    cache = new DataCache({ store, refreshMs: 60_000, logger: silent, publish: (delta) => published.push(delta) });
  });
  afterEach(async () => {
    cache.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes one ban per change, not the whole list, and nothing when a reload finds no change', async () => {
    for (let i = 0; i < 500; i++) await store.addBan(ban(`old-${i}`));
    await cache.start();
    expect(published).toHaveLength(1);
    expect(published[0]!.added).toHaveLength(500);

    const added = ban('new', { by: 'mod' });
    await store.addBan(added);
    cache.banAdded(added);
    expect(published[1]).toEqual({ version: 2, added: [added], removed: [] });
    expect(cache.moderatorBanCount('r')).toBe(1);
    cache.banRemoved('old-0');
    expect(published[2]).toEqual({ version: 3, added: [], removed: ['old-0'] });
    expect(cache.snapshot()).toMatchObject({ version: 3 });
    expect(cache.snapshot().bans).toHaveLength(500);

    // the store still has old-0 (only the cache was told): a reload finds it and pushes just that
    await cache.refresh();
    expect(published[3]).toEqual({ version: 4, added: [expect.objectContaining({ id: 'old-0' })], removed: [] });
    await cache.refresh();
    expect(published).toHaveLength(4);
    expect(cache.version).toBe(4);
  });

  it('applies a reload that raced a change, except over what the change touched', async () => {
    await store.addBan(ban('kept'));
    await cache.start();
    // A ban lifted elsewhere (only the store knows) and a ban added here while the reload reads.
    await store.removeBan('kept');
    const racing = ban('racing');
    const reload = cache.refresh();
    await store.addBan(racing);
    cache.banAdded(racing);
    await reload;
    // The reload's answer may predate the racing ban: it must not remove it; the lifted one goes.
    expect(cache.snapshot().bans.map((b) => b.id)).toEqual(['racing']);
    expect(published.at(-1)).toMatchObject({ added: [], removed: ['kept'] });
  });

  it('drops expired bans from the workers and prunes them from the store', async () => {
    const now = Date.now();
    await store.addBan(ban('brief', { expiresAt: now + 150, by: 'mod' }));
    await cache.start();
    expect(cache.moderatorBanCount('r')).toBe(1);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 1_000);
    await cache.refresh();
    vi.useRealTimers();
    expect(published.at(-1)).toMatchObject({ added: [], removed: ['brief'] });
    expect(cache.moderatorBanCount('r')).toBe(0);
    expect(await store.removeExpiredBans(now + 1_000)).toBe(0);
    expect(await store.listBans(0)).toEqual([]);
  });
});
