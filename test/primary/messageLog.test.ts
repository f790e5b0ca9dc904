import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcChannel } from '../../src/ipc/IpcChannel.js';
import type { PrimaryNotes, PrimaryRequests, WorkerNotes, WorkerRequests } from '../../src/ipc/messages.js';
import { MessageLog } from '../../src/primary/MessageLog.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { ChatMessageRecord } from '../../src/store/records.js';
import { APPEND_DEADLINE_MS, MessageBatcher } from '../../src/worker/MessageBatcher.js';
import { ipcPipe } from '../helpers/ipcPipe.js';

const silent = pino({ level: 'silent' });
const message = (room: string, i: number): ChatMessageRecord => ({ room, id: `m${String(i).padStart(6, '0')}`, user: 'u', name: 'U', text: `${room} ${i}`, ts: i });
const ids = (messages: readonly ChatMessageRecord[]) => messages.map((m) => m.id);

describe('MessageLog', () => {
  let dir: string;
  let store: SqliteStore;
  let log: MessageLog;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'message-log-'));
    store = new SqliteStore(dir);
    await store.open();
    log = new MessageLog({ store, logger: silent, flushMs: 60_000, batchSize: 7 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges a page of stored messages with the held ones of the same page, each once', async () => {
    await store.appendMessages([0, 2, 4, 6].map((i) => message('r', i)));
    log.hold([1, 3, 5, 7, 6].map((i) => message('r', i)));
    log.hold([message('other', 8)]);
    expect(ids(await log.history('r', undefined, 3))).toEqual(['m000005', 'm000006', 'm000007']);
    expect(ids(await log.history('r', 'm000005', 3))).toEqual(['m000002', 'm000003', 'm000004']);
    expect(ids(await log.history('r', 'm000002', 10))).toEqual(['m000000', 'm000001']);
    expect(ids(await log.history('other', undefined, 10))).toEqual(['m000008']);
  });

  it('writes every held message of every room, in batches, and serves them from the store after', async () => {
    for (let i = 0; i < 20; i++) log.hold([message(i % 2 ? 'a' : 'b', i)]);
    log.hold([message('a', 1)]);
    expect(log.counters.held).toBe(20);
    await log.flush();
    expect(log.counters).toMatchObject({ held: 0, written: 20 });
    expect(ids(await store.listMessages('a', { limit: 100 }))).toEqual(ids(Array.from({ length: 10 }, (_, i) => message('a', 2 * i + 1))));
    expect(ids(await log.history('b', undefined, 3))).toEqual(['m000014', 'm000016', 'm000018']);
  });

  it('forgets the held messages of a deleted room', async () => {
    log.hold([message('gone', 1), message('kept', 2)]);
    log.forgetRoom('gone');
    expect(log.counters.held).toBe(1);
    expect(await log.history('gone', undefined, 10)).toEqual([]);
  });

  it('pages a room of 100,000 held messages at the cost of a page', async () => {
    const held = Array.from({ length: 100_000 }, (_, i) => message('big', i));
    for (let i = 0; i < held.length; i += 1_000) log.hold(held.slice(i, i + 1_000));
    const started = performance.now();
    for (let i = 0; i < 200; i++) await log.history('big', held[(i * 499) % held.length]!.id, 50);
    // Filtering the 100,000 held messages for each of the 200 pages takes seconds.
    expect(performance.now() - started).toBeLessThan(500);
    expect(ids(await log.history('big', 'm050000', 2))).toEqual(['m049998', 'm049999']);
    log.forgetRoom('big');
  });

  it('refuses, holding none, a batch that arrives after its deadline', () => {
    expect(() => log.hold([message('r', 1), message('r', 2)], Date.now() - 1)).toThrow(expect.objectContaining({ code: 'DEADLINE_PASSED' }));
    expect(log.counters).toMatchObject({ held: 0, expired: 2 });
    expect(log.hold([message('r', 3)], Date.now() + 1_000)).toBe(1);
    expect(log.counters.held).toBe(1);
  });

  it('skips a history read whose requester stopped waiting', async () => {
    log.hold([message('r', 1)]);
    await expect(log.history('r', undefined, 10, Date.now() - 1)).rejects.toMatchObject({ code: 'DEADLINE_PASSED' });
    expect(ids(await log.history('r', undefined, 10, Date.now() + 1_000))).toEqual(['m000001']);
  });
});

/**
 * The worker's batcher and the primary's log over a real IpcChannel pair, wired as Primary.ts
 * wires them, with a pipe whose directions can be stalled like a blocked event loop. Only the
 * clock and timeouts are faked (setImmediate, which carries the IPC, stays real).
 */
describe('chat message hand-over from worker to primary', () => {
  let dir: string;
  let store: SqliteStore;
  let log: MessageLog;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hand-over-'));
    store = new SqliteStore(dir);
    await store.open();
    log = new MessageLog({ store, logger: silent, flushMs: 60_000 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = () => {
    const pipe = ipcPipe();
    const worker = new IpcChannel<PrimaryRequests, WorkerRequests, PrimaryNotes, WorkerNotes>(pipe.left);
    const primary = new IpcChannel<WorkerRequests, PrimaryRequests, WorkerNotes, PrimaryNotes>(pipe.right);
    primary.handle('messages.append', ({ messages, deadline }) => ({ held: log.hold(messages, deadline) }));
    return { pipe, batcher: new MessageBatcher(worker) };
  };
  const settled = (promise: Promise<void>) => promise.then(() => 'held', (error: { code?: string }) => error.code ?? 'error');
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  };

  it('answers NOT_PERSISTED (DEADLINE_PASSED) for a batch the primary took too long to receive, and does not keep it', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { pipe, batcher } = connect();
    pipe.toRight.stall();
    const outcome = settled(batcher.persist(message('r', 1)));
    await until(() => pipe.toRight.waiting === 1);
    vi.advanceTimersByTime(APPEND_DEADLINE_MS + 1_000);
    pipe.toRight.resume();
    expect(await outcome).toBe('DEADLINE_PASSED');
    expect(log.counters).toMatchObject({ held: 0, expired: 1 });
  });

  it('waits for a late answer instead of contradicting it: a message the primary held is acknowledged', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { pipe, batcher } = connect();
    pipe.toLeft.stall();
    const outcome = settled(batcher.persist(message('r', 1)));
    await until(() => pipe.toLeft.waiting === 1);
    expect(log.counters.held).toBe(1);
    // The answer is held up for a minute, far beyond the deadline: the worker must not give up on its own.
    vi.advanceTimersByTime(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    pipe.toLeft.resume();
    expect(await outcome).toBe('held');
    expect(ids(await log.history('r', undefined, 10))).toEqual(['m000001']);
  });

  it('fails the pending batch when the channel closes', async () => {
    const { pipe, batcher } = connect();
    pipe.toRight.stall();
    const outcome = settled(batcher.persist(message('r', 1)));
    await until(() => pipe.toRight.waiting === 1);
    pipe.disconnect();
    expect(await outcome).toBe('CHANNEL_CLOSED');
    expect(log.counters.held).toBe(0);
  });
});
