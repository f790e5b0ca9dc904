import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { Store } from '../../src/store/Store.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { freshStoreEachTest, storeTargets } from '../helpers/storeTargets.js';

/** Message i of a room: ids and times grow together, as the server's do. */
const message = (room: string, i: number): ChatMessageRecord => ({ room, id: `m${String(i).padStart(6, '0')}`, user: 'u1', name: 'Ann', text: `${room} ${i}`, ts: 1000 + i });
const messages = (room: string, count: number) => Array.from({ length: count }, (_, i) => message(room, i));
const ids = (list: readonly ChatMessageRecord[]) => list.map((m) => m.id);
const idRange = (from: number, to: number) => ids(messages('x', to).slice(from));

describe.each(storeTargets())('Store history maintenance contract: $name', (target) => {
  let store: Store;
  freshStoreEachTest(target, () => store, (made) => (store = made));

  /** Everything left in a room, oldest first. */
  const left = async (room: string) => ids(await store.listMessages(room, { limit: 1000 }));

  it('pages a room oldest first after an id, with the ref kept, other rooms apart', async () => {
    await store.appendMessages([...messages('r', 7), { ...message('r', 7), ref: '"a"' }, ...messages('other', 3)]);
    expect(ids(await store.listMessagesAfter('r', undefined, 3))).toEqual(['m000000', 'm000001', 'm000002']);
    expect(ids(await store.listMessagesAfter('r', 'm000002', 3))).toEqual(['m000003', 'm000004', 'm000005']);
    expect(await store.listMessagesAfter('r', 'm000005', 10)).toEqual([message('r', 6), { ...message('r', 7), ref: '"a"' }]);
    expect(await store.listMessagesAfter('r', 'm000007', 10)).toEqual([]);
    expect(await store.listMessagesAfter('nobody', undefined, 10)).toEqual([]);
  });

  it('prunes by age in batches of at most the limit, and says when the room is done', async () => {
    await store.appendMessages([...messages('r', 10), ...messages('other', 10)]);
    const rule = { olderThan: 1005 };
    expect(await store.pruneMessages('r', rule, 3)).toBe(3);
    expect(await store.pruneMessages('r', rule, 3)).toBe(2);
    expect(await store.pruneMessages('r', rule, 3)).toBe(0);
    expect(await left('r')).toEqual(idRange(5, 10));
    expect(await left('other')).toHaveLength(10);
  });

  it('prunes by count, keeping the newest', async () => {
    await store.appendMessages(messages('r', 10));
    expect(await store.pruneMessages('r', { keepNewest: 20 }, 100)).toBe(0);
    expect(await store.pruneMessages('r', { keepNewest: 4 }, 4)).toBe(4);
    expect(await store.pruneMessages('r', { keepNewest: 4 }, 4)).toBe(2);
    expect(await store.pruneMessages('r', { keepNewest: 4 }, 4)).toBe(0);
    expect(await left('r')).toEqual(idRange(6, 10));
    expect(await store.pruneMessages('r', { keepNewest: 1 }, 100)).toBe(3);
    expect(await left('r')).toEqual(['m000009']);
  });

  it('prunes what either rule covers when both are given', async () => {
    await store.appendMessages([...messages('a', 10), ...messages('b', 10)]);
    // Age covers 3, count 2: the 3 go.
    expect(await store.pruneMessages('a', { olderThan: 1003, keepNewest: 8 }, 100)).toBe(3);
    expect(await left('a')).toEqual(idRange(3, 10));
    // Age covers 1, count 6: the 6 go.
    expect(await store.pruneMessages('b', { olderThan: 1001, keepNewest: 4 }, 100)).toBe(6);
    expect(await left('b')).toEqual(idRange(6, 10));
    // Nothing old, fewer than the count: nothing goes; an empty rule or limit prunes nothing.
    expect(await store.pruneMessages('b', { olderThan: 0, keepNewest: 50 }, 100)).toBe(0);
    expect(await store.pruneMessages('b', {}, 100)).toBe(0);
    expect(await store.pruneMessages('b', { keepNewest: 1 }, 0)).toBe(0);
    expect(await left('b')).toHaveLength(4);
  });

  it('lists the rooms with stored messages in pages, deleted rooms included, emptied rooms not', async () => {
    await store.saveRoom({ name: 'no-messages', port: 34000, settings: {}, createdAt: 1 });
    await store.appendMessages(['c', 'a', 'b', 'B', 'gone'].flatMap((room) => messages(room, 3)));
    expect(await store.listMessageRooms(undefined, 100)).toEqual(['B', 'a', 'b', 'c', 'gone']);
    expect(await store.listMessageRooms(undefined, 2)).toEqual(['B', 'a']);
    expect(await store.listMessageRooms('a', 2)).toEqual(['b', 'c']);
    expect(await store.listMessageRooms('gone', 2)).toEqual([]);
    await store.deleteMessages('b');
    await store.pruneMessages('c', { keepNewest: 1 }, 100);
    expect(await store.listMessageRooms(undefined, 100)).toEqual(['B', 'a', 'c', 'gone']);
  });

  it('has an online backup only in the embedded store (MongoDB is backed up with mongodump)', () => {
    expect(typeof store.backup).toBe(store.kind === 'embedded' ? 'function' : 'undefined');
  });
});

describe('SqliteStore backup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'store-backup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the whole database while the server goes on writing, into a file that opens as a store', async () => {
    const store = new SqliteStore(path.join(dir, 'data'));
    await store.open();
    await store.saveRoom({ name: 'r', port: 34000, settings: { historyMaxMessages: 5 }, createdAt: 1 });
    await store.updateSettings({ historyRetentionDays: 30 });
    const history = messages('r', 20_000);
    for (let first = 0; first < history.length; first += 1000) await store.appendMessages(history.slice(first, first + 1000));
    const copyDir = path.join(dir, 'copy');
    mkdirSync(copyDir);
    // Writes go on while the copy runs (it reads one snapshot through a connection of its own).
    const copying = store.backup(path.join(copyDir, DATABASE_FILE));
    await store.appendMessages([message('late', 1)]);
    await copying;
    expect(await store.listMessageRooms(undefined, 10)).toEqual(['late', 'r']);
    await store.close();

    const restored = new SqliteStore(copyDir);
    await restored.open();
    expect(await restored.getRoom('r')).toEqual({ name: 'r', port: 34000, settings: { historyMaxMessages: 5 }, createdAt: 1 });
    expect((await restored.getSettings()).historyRetentionDays).toBe(30);
    expect(await restored.listMessagesAfter('r', undefined, 100_000)).toEqual(history);
    await restored.close();
  });
});
