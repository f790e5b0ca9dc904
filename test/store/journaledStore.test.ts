import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournaledStore } from '../../src/store/journal/JournaledStore.js';
import { JournalFullError, LocalJournal } from '../../src/store/journal/LocalJournal.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { switchable } from '../helpers/switchableStore.js';

const silent = pino({ level: 'silent' });
const message = (room: string, i: number): ChatMessageRecord => ({ room, id: `m${String(i).padStart(6, '0')}`, user: 'u', name: 'U', text: `${room} ${i}`, ts: Date.now() });
const ids = (messages: readonly ChatMessageRecord[]) => messages.map((m) => m.id);

describe('JournaledStore (MongoDB outage without loss, through the Store interface)', () => {
  let dir: string;
  let remote: SqliteStore;
  let sw: ReturnType<typeof switchable>;
  let journaled: JournaledStore;

  const make = async (maxEntries = 1_000) => {
    const store = new JournaledStore(sw.store, new LocalJournal(path.join(dir, 'local'), maxEntries), silent, { probeMs: 20 });
    await store.open();
    return store;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'journal-'));
    remote = new SqliteStore(path.join(dir, 'remote'));
    await remote.open();
    sw = switchable(remote);
    journaled = await make();
  });
  afterEach(async () => {
    await journaled.close();
    await remote.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes straight to the remote store while it answers', async () => {
    await journaled.saveRoom({ name: 'r', port: 1, settings: {}, createdAt: 1 });
    await journaled.appendMessages([message('r', 1)]);
    expect(journaled.journal.depth).toBe(0);
    expect(ids(await remote.listMessages('r', { limit: 10 }))).toEqual(['m000001']);
  });

  it('acknowledges writes during an outage from the journal, serves them in reads, and replays them in order when the store is back', async () => {
    await journaled.saveRoom({ name: 'old', port: 1, settings: {}, createdAt: 1 });
    await journaled.appendMessages([message('r', 1), message('r', 2)]);
    sw.state.down = true;
    await journaled.appendMessages([message('r', 3)]);
    expect(journaled.health.up).toBe(false);
    await journaled.saveRoom({ name: 'new', port: 2, settings: {}, createdAt: 2 });
    expect(await journaled.deleteRoom('old')).toBe(true);
    await journaled.appendMessages([message('r', 4), message('s', 5)]);
    expect(journaled.journal.depth).toBe(5);
    // Reads merge the journal: the history's newest messages and the rooms as this server made them.
    expect(ids(await journaled.listMessages('r', { limit: 3 }))).toEqual(['m000003', 'm000004']);
    sw.state.down = false;
    expect(ids(await journaled.listMessages('r', { limit: 3 }))).toEqual(['m000002', 'm000003', 'm000004']);
    expect((await journaled.listRooms()).map((room) => room.name)).toEqual(['new']);
    sw.state.down = true;

    const back = new Promise<void>((resolve) => journaled.health.once('up', resolve));
    sw.state.down = false;
    await back;
    await journaled.replay();
    expect(journaled.journal.depth).toBe(0);
    expect(ids(await remote.listMessages('r', { limit: 10 }))).toEqual(['m000001', 'm000002', 'm000003', 'm000004']);
    expect(ids(await remote.listMessages('s', { limit: 10 }))).toEqual(['m000005']);
    expect((await remote.listRooms()).map((room) => room.name)).toEqual(['new']);
    // Straight to the store again.
    await journaled.appendMessages([message('r', 6)]);
    expect(journaled.journal.depth).toBe(0);
  });

  it('keeps journaled writes across a restart of the primary and replays them after it', async () => {
    sw.state.down = true;
    await journaled.appendMessages([message('r', 1), message('r', 2)]);
    await journaled.close();
    // The next start: MongoDB still down at first.
    const again = new JournaledStore(sw.store, new LocalJournal(path.join(dir, 'local'), 1_000), silent, { probeMs: 20 });
    await expect(again.open()).rejects.toThrow(/ECONNREFUSED/);
    again.health.startDown(new Error('down at start'));
    expect(again.journal.depth).toBe(2);
    const back = new Promise<void>((resolve) => again.health.once('up', resolve));
    sw.state.down = false;
    await back;
    await again.replay();
    expect(ids(await remote.listMessages('r', { limit: 10 }))).toEqual(['m000001', 'm000002']);
    journaled = again;
  });

  it('resumes a replay cut short by a second outage without storing anything twice', async () => {
    sw.state.down = true;
    for (let i = 0; i < 5; i++) {
      await journaled.saveRoom({ name: `room-${i}`, port: i, settings: {}, createdAt: i });
      await journaled.appendMessages([message(`room-${i}`, i)]);
    }
    sw.state.writes = 0;
    sw.state.failAfter = 4;
    const back = new Promise<void>((resolve) => journaled.health.once('up', resolve));
    sw.state.down = false;
    await back;
    await journaled.replay();
    expect(journaled.journal.depth).toBe(6);
    expect(journaled.health.up).toBe(false);
    sw.state.failAfter = Number.POSITIVE_INFINITY;
    await new Promise<void>((resolve) => journaled.health.once('up', resolve));
    await journaled.replay();
    expect(journaled.journal.depth).toBe(0);
    expect((await remote.listRooms()).map((room) => room.name)).toEqual(['room-0', 'room-1', 'room-2', 'room-3', 'room-4']);
    for (let i = 0; i < 5; i++) expect(ids(await remote.listMessages(`room-${i}`, { limit: 10 }))).toEqual([message('x', i).id]);
  });

  it('refuses writes past its bound with a clear error instead of losing them', async () => {
    await journaled.close();
    journaled = await make(1_000);
    sw.state.down = true;
    await journaled.appendMessages(Array.from({ length: 1_000 }, (_, i) => message('r', i)));
    await expect(journaled.appendMessages([message('r', 1_000)])).rejects.toThrow(JournalFullError);
    await expect(journaled.appendMessages([message('r', 1_000)])).rejects.toThrow(/STORE_JOURNAL_MAX_ENTRIES=1000/);
    expect(journaled.journal.depth).toBe(1_000);
  });
});
