import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { Store } from '../../src/store/Store.js';
import { DEFAULT_SETTINGS, type ChatMessageRecord } from '../../src/contracts/records.js';
import { freshStoreEachTest, storeTargets } from '../helpers/storeTargets.js';

const targets = storeTargets();

const message = (room: string, id: string, ts: number): ChatMessageRecord => ({ room, id, user: 'u1', name: 'Ann', text: `text ${id}`, ts });

describe.each(targets)('Store contract: $name', (target) => {
  let store: Store;
  freshStoreEachTest(target, () => store, (made) => (store = made));

  it('pings when open and closes twice without error', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await store.close();
    store = await target.make(false);
  });

  it('saves, lists, gets, replaces and deletes rooms', async () => {
    expect(await store.listRooms()).toEqual([]);
    await store.saveRoom({ name: 'a', port: 34000, settings: {}, createdAt: 1 });
    await store.saveRoom({ name: 'b', port: 34001, settings: { anonymous: false }, createdAt: 2 });
    expect(await store.getRoom('b')).toEqual({ name: 'b', port: 34001, settings: { anonymous: false }, createdAt: 2 });
    expect(await store.getRoom('nope')).toBeNull();
    await store.saveRoom({ name: 'a', port: 34005, settings: {}, createdAt: 1 });
    expect((await store.listRooms()).map((r) => [r.name, r.port])).toEqual([['a', 34005], ['b', 34001]]);
    expect(await store.deleteRoom('a')).toBe(true);
    expect(await store.deleteRoom('a')).toBe(false);
    expect((await store.listRooms()).map((r) => r.name)).toEqual(['b']);
  });

  it('keeps rooms across a close and reopen', async () => {
    await store.saveRoom({ name: 'persist', port: 34010, settings: {}, createdAt: 5 });
    await store.close();
    store = await target.make(true);
    expect(await store.getRoom('persist')).toEqual({ name: 'persist', port: 34010, settings: {}, createdAt: 5 });
  });

  it('appends messages idempotently and pages history oldest first', async () => {
    const batch = ['0001', '0002', '0003', '0004', '0005'].map((id, i) => message('r', id, 1000 + i));
    await store.appendMessages(batch);
    await store.appendMessages(batch.slice(3));
    await store.appendMessages([message('other', '0001', 1)]);
    await store.appendMessages([]);
    const newest = await store.listMessages('r', { limit: 2 });
    expect(newest.map((m) => m.id)).toEqual(['0004', '0005']);
    expect(newest[0]).toEqual(message('r', '0004', 1003));
    const older = await store.listMessages('r', { before: '0004', limit: 10 });
    expect(older.map((m) => m.id)).toEqual(['0001', '0002', '0003']);
    expect(await store.listMessages('r', { before: '0001', limit: 10 })).toEqual([]);
    expect(await store.deleteMessages('r')).toBe(5);
    expect(await store.listMessages('r', { limit: 10 })).toEqual([]);
    expect(await store.listMessages('other', { limit: 10 })).toHaveLength(1);
  });

  it('pages a long history back to the start, each message once, oldest first in every page', async () => {
    const ids = Array.from({ length: 1_234 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    // Out of order across batches (two workers' batches interleave), as the primary may write them.
    await store.appendMessages(ids.slice(600).map((id, i) => message('long', id, 600 + i)));
    await store.appendMessages(ids.slice(0, 600).map((id, i) => message('long', id, i)));
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.listMessages('long', { before, limit: 100 });
      expect(page.map((m) => m.id)).toEqual([...page.map((m) => m.id)].sort());
      seen.unshift(...page.map((m) => m.id));
      if (page.length < 100) break;
      before = page[0]!.id;
    }
    expect(seen).toEqual(ids);
  });

  it('honours before and limit at the edges of the history', async () => {
    await store.appendMessages(['a1', 'a2', 'a3', 'a4'].map((id, i) => message('edges', id, i)));
    expect((await store.listMessages('edges', { limit: 1 })).map((m) => m.id)).toEqual(['a4']);
    expect((await store.listMessages('edges', { limit: 4 })).map((m) => m.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect((await store.listMessages('edges', { limit: 500 })).map((m) => m.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    // `before` need not be a stored id: it is a bound.
    expect((await store.listMessages('edges', { before: 'a25', limit: 500 })).map((m) => m.id)).toEqual(['a1', 'a2']);
    expect((await store.listMessages('edges', { before: 'zz', limit: 2 })).map((m) => m.id)).toEqual(['a3', 'a4']);
    expect(await store.listMessages('edges', { before: 'a1', limit: 2 })).toEqual([]);
    expect(await store.listMessages('nowhere', { limit: 10 })).toEqual([]);
  });

  it('stores a batch appended twice, or overlapping an earlier one, once', async () => {
    const batch = ['b1', 'b2', 'b3'].map((id, i) => message('twice', id, i));
    await store.appendMessages(batch);
    await store.appendMessages(batch);
    await store.appendMessages([batch[2]!, message('twice', 'b4', 3), message('twice', 'b4', 3)]);
    expect((await store.listMessages('twice', { limit: 10 })).map((m) => m.id)).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(await store.deleteMessages('twice')).toBe(4);
  });

  it('forgets a deleted room\'s history and pages what is written to it afterwards', async () => {
    await store.appendMessages(['d1', 'd2', 'd3'].map((id, i) => message('gone', id, i)));
    await store.appendMessages([message('kept', 'd1', 1)]);
    expect(await store.deleteMessages('gone')).toBe(3);
    expect(await store.listMessages('gone', { limit: 10 })).toEqual([]);
    expect(await store.listMessages('gone', { before: 'd9', limit: 10 })).toEqual([]);
    await store.appendMessages([message('gone', 'd2', 5), message('gone', 'd4', 6)]);
    expect((await store.listMessages('gone', { limit: 10 })).map((m) => m.id)).toEqual(['d2', 'd4']);
    expect((await store.listMessages('kept', { limit: 10 })).map((m) => m.id)).toEqual(['d1']);
  });

  it('pages the same history after a close and reopen', async () => {
    await store.appendMessages(['r3', 'r1', 'r2'].map((id, i) => message('reopened', id, i)));
    await store.close();
    store = await target.make(true);
    expect((await store.listMessages('reopened', { before: 'r3', limit: 10 })).map((m) => m.id)).toEqual(['r1', 'r2']);
    await store.appendMessages([message('reopened', 'r2', 1), message('reopened', 'r4', 4)]);
    expect((await store.listMessages('reopened', { limit: 10 })).map((m) => m.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('adds, lists (without expired ones) and removes bans', async () => {
    const now = 10_000;
    await store.addBan({ id: 'b1', user: 'u1', room: null, reason: 'spam', createdAt: 1, expiresAt: null });
    await store.addBan({ id: 'b2', user: 'u2', room: 'r', reason: 'abuse', createdAt: 2, expiresAt: now + 1 });
    await store.addBan({ id: 'b3', user: 'u3', room: 'r', reason: 'old', createdAt: 3, expiresAt: now - 1 });
    expect((await store.listBans(now)).map((b) => b.id)).toEqual(['b1', 'b2']);
    expect((await store.listBans(now))[1]).toEqual({ id: 'b2', user: 'u2', room: 'r', reason: 'abuse', createdAt: 2, expiresAt: now + 1 });
    expect(await store.removeBan('b1')).toBe(true);
    expect(await store.removeBan('b1')).toBe(false);
    expect((await store.listBans(now)).map((b) => b.id)).toEqual(['b2']);
    expect(await store.removeExpiredBans(now)).toBe(1);
    expect(await store.removeExpiredBans(now + 1)).toBe(1);
    expect(await store.listBans(0)).toEqual([]);
  });

  it('keeps one token revocation per user and room, the latest, and lists recent ones', async () => {
    await store.revokeTokens({ user: 'u1', room: null, revokedAt: 1_000 });
    await store.revokeTokens({ user: 'u1', room: 'r', revokedAt: 2_000 });
    await store.revokeTokens({ user: 'u2', room: null, revokedAt: 3_000 });
    await store.revokeTokens({ user: 'u1', room: null, revokedAt: 4_000 });
    expect(await store.listRevocations(0)).toEqual([
      { user: 'u1', room: 'r', revokedAt: 2_000 },
      { user: 'u2', room: null, revokedAt: 3_000 },
      { user: 'u1', room: null, revokedAt: 4_000 },
    ]);
    expect((await store.listRevocations(2_500)).map((r) => r.user)).toEqual(['u2', 'u1']);
  });

  it('finds the messages stored with a sender ref after a time, oldest first, and keeps the ref out of those without one', async () => {
    await store.appendMessages([
      { ...message('refs', 'x1', 100), ref: '"a"' },
      message('refs', 'x2', 200),
      { ...message('refs', 'x3', 300), ref: '7' },
    ]);
    expect((await store.listMessagesWithRef(100)).map((m) => [m.id, m.ref])).toEqual([['x3', '7']]);
    expect((await store.listMessagesWithRef(0)).map((m) => m.id)).toEqual(['x1', 'x3']);
    expect((await store.listMessages('refs', { limit: 10 }))[1]).toEqual(message('refs', 'x2', 200));
  });

  it('returns default settings, merges updates and keeps them across a reopen', async () => {
    expect(await store.getSettings()).toEqual(DEFAULT_SETTINGS);
    const updated = await store.updateSettings({ bannedWords: ['darn'], historySize: 80 });
    expect(updated).toEqual({ ...DEFAULT_SETTINGS, bannedWords: ['darn'], historySize: 80 });
    await store.updateSettings({ welcomeText: 'hi' });
    await store.close();
    store = await target.make(true);
    expect(await store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, bannedWords: ['darn'], historySize: 80, welcomeText: 'hi' });
  });
});

describe('SqliteStore files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'store-files-'));
  });
  afterAll(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its DATA_DIR, one database file in WAL mode, and keeps one room per name: a save replaces it, a second row is refused by the key', async () => {
    const store = new SqliteStore(path.join(dir, 'nested', 'data'));
    await store.open();
    await store.saveRoom({ name: 'x', port: 1, settings: {}, createdAt: 1 });
    await store.saveRoom({ name: 'x', port: 2, settings: {}, createdAt: 1 });
    expect(await store.listRooms()).toEqual([{ name: 'x', port: 2, settings: {}, createdAt: 1 }]);
    // Not only the upsert: the table itself holds no second row with that name.
    expect(() => store.database.prepare('INSERT INTO rooms (name, port, settings, created_at) VALUES (?, ?, ?, ?)').run('x', 3, '{}', 1)).toThrow(/UNIQUE constraint failed: rooms\.name/);
    expect(await store.listRooms()).toEqual([{ name: 'x', port: 2, settings: {}, createdAt: 1 }]);
    expect(store.database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(store.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    await store.close();
  });

  it('refuses to open a file that is not a database, naming it and leaving it untouched', async () => {
    const folder = path.join(dir, 'corrupt');
    const store = new SqliteStore(folder);
    await store.open();
    await store.close();
    writeFileSync(store.file, 'this is not a database, just some bytes\n'.repeat(200));
    const corrupted = new SqliteStore(folder);
    await expect(corrupted.open()).rejects.toThrow(/chatserver\.sqlite is damaged .*restore a backup/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(store.file, 'utf8').startsWith('this is not a database')).toBe(true);
  });

  it('says so when DATA_DIR cannot be written', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; the e2e start test covers this case as another user
    const folder = path.join(dir, 'readonly');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    await expect(new SqliteStore(folder).open()).rejects.toThrow(/DATA_DIR .* is not a writable folder/);
  });

  it('refuses a database written by a newer schema', async () => {
    const folder = path.join(dir, 'newer');
    const store = new SqliteStore(folder);
    await store.open();
    store.database.exec('PRAGMA user_version = 999');
    await store.close();
    await expect(new SqliteStore(folder).open()).rejects.toThrow(/schema version 999, newer than this server's/);
  });
});
