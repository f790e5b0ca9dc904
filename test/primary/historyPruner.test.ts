import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import { HistoryPruner } from '../../src/primary/HistoryPruner.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { DEFAULT_SETTINGS, type ChatMessageRecord, type GlobalSettings, type RoomSettings } from '../../src/contracts/records.js';

const silent = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 4, 1);
const DAY = 86_400_000;

/** `count` messages of a room, one an hour, the newest an hour before NOW; ids from the server's generator. */
function hourly(room: string, count: number): ChatMessageRecord[] {
  const ids = new MessageIdGenerator();
  return Array.from({ length: count }, (_, i) => {
    const { id, ts } = ids.next(NOW - (count - i) * 3_600_000);
    return { room, id, user: 'u', name: 'U', text: `${room} ${i}`, ts };
  });
}

describe('HistoryPruner', () => {
  let dir: string;
  let store: SqliteStore;
  let settings: GlobalSettings;
  let rooms: Array<{ name: string; settings: RoomSettings }>;

  const pruner = (batchSize = 7) => {
    const made = new HistoryPruner({ store, logger: silent, settings: () => settings, rooms: () => rooms, batchSize, intervalMs: 3_600_000, now: () => NOW });
    made.start();
    return made;
  };
  const stored = async (room: string) => store.listMessagesAfter(room, undefined, 10_000);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pruner-'));
    store = new SqliteStore(dir);
    await store.open();
    settings = DEFAULT_SETTINGS;
    rooms = [];
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prunes nothing, and reads nothing, while no retention is set', async () => {
    await store.appendMessages(hourly('a', 100));
    rooms = [{ name: 'a', settings: {} }];
    const rooms$ = vi.spyOn(store, 'listMessageRooms');
    const prune = vi.spyOn(store, 'pruneMessages');
    const p = pruner();
    expect(await p.run()).toBe(0);
    await p.close();
    expect(rooms$).not.toHaveBeenCalled();
    expect(prune).not.toHaveBeenCalled();
    expect(await stored('a')).toHaveLength(100);
  });

  it('prunes by age across every room with messages, deleted rooms too, in batches', async () => {
    const a = hourly('a', 72);
    const gone = hourly('gone', 30);
    await store.appendMessages([...a, ...gone]);
    rooms = [{ name: 'a', settings: {} }];
    settings = { ...DEFAULT_SETTINGS, historyRetentionDays: 1 };
    const prune = vi.spyOn(store, 'pruneMessages');
    const p = pruner(7);
    expect(await p.run()).toBe(48 + 6);
    await p.close();
    // The last 24 of each room are not older than a day (the oldest of them is a day old to the millisecond).
    expect(await stored('a')).toEqual(a.slice(-24));
    expect(await stored('gone')).toEqual(gone.slice(-24));
    // 48 in batches of 7 (7 calls, the last short) for 'a'; 6 in one short call for 'gone'.
    expect(prune.mock.calls.filter(([room]) => room === 'a')).toHaveLength(7);
    expect(prune.mock.calls.filter(([room]) => room === 'gone')).toHaveLength(1);
    expect(p.counters).toMatchObject({ pruned: 54, failures: 0 });
  });

  it('keeps the newest N per room, a room\'s own settings winning over the global ones', async () => {
    await store.appendMessages([...hourly('a', 50), ...hourly('own', 50), ...hourly('forever', 50), ...hourly('leftover', 50)]);
    rooms = [
      { name: 'a', settings: {} },
      { name: 'own', settings: { historyMaxMessages: 3 } },
      { name: 'forever', settings: { historyMaxMessages: 0, historyRetentionDays: 0 } },
    ];
    settings = { ...DEFAULT_SETTINGS, historyMaxMessages: 10 };
    const p = pruner();
    expect(await p.run()).toBe(40 + 47 + 40);
    await p.close();
    expect((await stored('a')).map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `a ${40 + i}`));
    expect(await stored('own')).toHaveLength(3);
    expect(await stored('forever')).toHaveLength(50);
    expect(await stored('leftover')).toHaveLength(10);
  });

  it('walks only the rooms whose own settings prune when no global rule is set', async () => {
    await store.appendMessages([...hourly('aged', 100), ...hourly('other', 100)]);
    rooms = [
      { name: 'aged', settings: { historyRetentionDays: 2 } },
      { name: 'other', settings: {} },
    ];
    const rooms$ = vi.spyOn(store, 'listMessageRooms');
    const p = pruner(500);
    expect(await p.run()).toBe(52);
    await p.close();
    expect(rooms$).not.toHaveBeenCalled();
    expect(await stored('aged')).toHaveLength(48);
    expect(await stored('other')).toHaveLength(100);
  });

  it('never runs two passes at once: one asked for during a pass runs after it, with the settings of then', async () => {
    await store.appendMessages(hourly('a', 100));
    settings = { ...DEFAULT_SETTINGS, historyMaxMessages: 50 };
    let inside = 0;
    let most = 0;
    const original = store.pruneMessages.bind(store);
    vi.spyOn(store, 'pruneMessages').mockImplementation(async (...args) => {
      most = Math.max(most, ++inside);
      await new Promise((resolve) => setImmediate(resolve));
      inside -= 1;
      return original(...args);
    });
    const p = pruner(10);
    const first = p.run();
    settings = { ...DEFAULT_SETTINGS, historyMaxMessages: 20 };
    const second = p.run();
    expect(p.run()).toBe(second);
    expect(await first).toBe(50);
    expect(await second).toBe(30);
    await p.close();
    expect(most).toBe(1);
    expect(await stored('a')).toHaveLength(20);
  });

  it('stops a pass at its next batch when closed, and counts a failed pass without throwing', async () => {
    await store.appendMessages(hourly('a', 1000));
    settings = { ...DEFAULT_SETTINGS, historyMaxMessages: 1 };
    const p = pruner(10);
    const original = store.pruneMessages.bind(store);
    let closing: Promise<void> | undefined;
    vi.spyOn(store, 'pruneMessages').mockImplementation(async (...args) => {
      const count = await original(...args);
      closing ??= p.close();
      return count;
    });
    expect(await p.run()).toBe(10);
    await closing;
    expect(await stored('a')).toHaveLength(990);
    expect(await p.run()).toBe(0);
    vi.restoreAllMocks();

    const failing = pruner(10);
    await store.close();
    expect(await failing.run()).toBe(0);
    expect(failing.counters).toMatchObject({ passes: 1, failures: 1 });
    await failing.close();
    await store.open();
  });

  it('applies the age cut at the message time exactly', async () => {
    const a = hourly('a', 48);
    await store.appendMessages(a);
    settings = { ...DEFAULT_SETTINGS, historyRetentionDays: 1 };
    const p = pruner();
    await p.run();
    await p.close();
    const left = await stored('a');
    expect(left[0]!.ts).toBe(NOW - DAY);
    expect(left).toHaveLength(24);
  });
});
