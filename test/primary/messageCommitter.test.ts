import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcChannel } from '../../src/ipc/IpcChannel.js';
import type { PrimaryNotes, PrimaryRequests, WorkerNotes, WorkerRequests } from '../../src/contracts/ipc.js';
import type { WorkerSideChannel } from '../../src/ipc/endpoints.js';
import { MessageCommitter } from '../../src/primary/MessageCommitter.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { Store } from '../../src/store/Store.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { APPEND_DEADLINE_MS, MessageBatcher } from '../../src/worker/MessageBatcher.js';
import { ipcPipe } from '../helpers/ipcPipe.js';

const silent = pino({ level: 'silent' });
const message = (room: string, i: number, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord => ({ room, id: `m${String(i).padStart(6, '0')}`, user: 'u', name: 'U', text: `${room} ${i}`, ts: Date.now(), ...extra });
const ids = (messages: readonly ChatMessageRecord[]) => messages.map((m) => m.id);

/**
 * A real SQLite store whose message commits can be held open (as a slow fsync would) or made to
 * fail (as a full disk does), and which records the size of each commit.
 */
function gatedStore(inner: SqliteStore) {
  const commits: number[] = [];
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  let failing = false;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'appendMessages') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async (messages: readonly ChatMessageRecord[]) => {
        commits.push(messages.length);
        await gate;
        if (failing) throw new Error('SQLITE_FULL: database or disk is full');
        await target.appendMessages(messages);
      };
    },
  }) as Store;
  return {
    store,
    commits,
    hold: () => (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => {
      gate = undefined;
      open();
    },
    fail: (value: boolean) => (failing = value),
  };
}

const STORED = { stored: true };
const NOT_STORED = { stored: false, reason: expect.stringContaining('SQLITE_FULL') };

/** Turns of the event loop until `condition` holds (the committer schedules its commits with setImmediate). */
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * A real SQLite store whose message commits the test settles one by one: each call waits until
 * the test commits it (written to the store) or fails it.
 */
function controlledStore(inner: SqliteStore) {
  const calls: Array<{ ids: string[]; commit(): Promise<void>; fail(error: Error): void }> = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'appendMessages') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return (messages: readonly ChatMessageRecord[]) =>
        new Promise<void>((resolve, reject) => {
          calls.push({
            ids: messages.map((m) => m.id),
            commit: async () => {
              await target.appendMessages(messages);
              resolve();
              await new Promise((settled) => setImmediate(settled));
            },
            fail: reject,
          });
        });
    },
  }) as Store;
  return { store, calls };
}

describe('MessageCommitter', () => {
  let dir: string;
  let inner: SqliteStore;
  let gated: ReturnType<typeof gatedStore>;
  let committer: MessageCommitter;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'committer-'));
    inner = new SqliteStore(dir);
    await inner.open();
    gated = gatedStore(inner);
    committer = new MessageCommitter({ store: gated.store, logger: silent });
  });
  afterEach(async () => {
    vi.useRealTimers();
    gated.release();
    await committer.close();
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers only once the store has committed, and puts everything that arrives during a commit into the next one', async () => {
    gated.hold();
    const first = committer.commit([message('a', 1)]);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.commits).toEqual([1]);
    // Three workers' batches arrive while the first commit is in flight.
    const later = [committer.commit([message('a', 2), message('b', 3)]), committer.commit([message('a', 4)]), committer.commit([message('c', 5)])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(firstDone).toBe(false);
    expect(await inner.listMessages('a', { limit: 10 })).toEqual([]);
    gated.release();
    expect(await first).toEqual([STORED]);
    expect(await Promise.all(later)).toEqual([[STORED, STORED], [STORED], [STORED]]);
    expect(gated.commits).toEqual([1, 4]);
    expect(committer.counters).toMatchObject({ committed: 5, commits: 2, waiting: 0 });
    expect(ids(await inner.listMessages('a', { limit: 10 }))).toEqual(['m000001', 'm000002', 'm000004']);
  });

  it('commits each message alone when the batch size is 1', async () => {
    const single = new MessageCommitter({ store: gated.store, logger: silent, maxBatch: 1 });
    await Promise.all([single.commit([message('a', 1), message('a', 2)]), single.commit([message('a', 3)])]);
    expect(gated.commits).toEqual([1, 1, 1]);
    await single.close();
  });

  it('answers a resend of the same ref by the same user with the first message, storing it once', async () => {
    const original = message('r', 1, { ref: '"x"' });
    expect(await committer.commit([original])).toEqual([STORED]);
    const answers = await committer.commit([
      { ...message('r', 2, { ref: '"x"' }), text: original.text },
      { ...message('r', 3, { ref: '"x"', user: 'someone-else' }), text: original.text },
      message('r', 4),
      { ...message('other', 5, { ref: '"x"' }), text: original.text },
      // The same ref with another text: a client that counts refs again from 1 sent a new message.
      message('r', 6, { ref: '"x"' }),
    ]);
    expect(answers).toEqual([{ stored: true, first: original }, STORED, STORED, STORED, STORED]);
    expect(ids(await inner.listMessages('r', { limit: 10 }))).toEqual(['m000001', 'm000003', 'm000004', 'm000006']);
    expect(committer.counters.duplicates).toBe(1);
  });

  it('answers a resend that arrives while the first is being committed once that commit is durable', async () => {
    gated.hold();
    const original = message('r', 1, { ref: '7' });
    const first = committer.commit([original]);
    await new Promise((resolve) => setImmediate(resolve));
    const resend = committer.commit([{ ...message('r', 2, { ref: '7' }), text: original.text }]);
    gated.release();
    expect(await first).toEqual([STORED]);
    expect(await resend).toEqual([{ stored: true, first: original }]);
    expect(gated.commits).toEqual([1]);
  });

  it('recognises resends of messages stored before a restart', async () => {
    const original = message('r', 1, { ref: '"before-restart"' });
    await committer.commit([original]);
    const restarted = new MessageCommitter({ store: inner, logger: silent });
    await restarted.loadRecentRefs();
    expect(await restarted.commit([{ ...message('r', 2, { ref: '"before-restart"' }), text: original.text }])).toEqual([{ stored: true, first: original }]);
    expect(ids(await inner.listMessages('r', { limit: 10 }))).toEqual(['m000001']);
    await restarted.close();
  });

  it('refuses the whole batch when the commit fails (a full disk), keeps going, and commits a resend once the store takes writes again', async () => {
    gated.fail(true);
    const refused = await committer.commit([message('r', 1, { ref: '1' }), message('r', 2)]);
    expect(refused).toEqual([NOT_STORED, NOT_STORED]);
    expect(committer.counters).toMatchObject({ commitFailures: 1, committed: 0 });
    expect(await inner.listMessages('r', { limit: 10 })).toEqual([]);
    gated.fail(false);
    expect(await committer.commit([{ ...message('r', 3, { ref: '1' }), text: 'r 1' }])).toEqual([STORED]);
    expect(ids(await inner.listMessages('r', { limit: 10 }))).toEqual(['m000003']);
  });

  it('answers each message of a worker\'s batch for itself when the batch spans two commits and the second fails', async () => {
    const store = controlledStore(inner);
    const small = new MessageCommitter({ store: store.store, logger: silent, maxBatch: 3 });
    const a = small.commit([message('r', 1), message('r', 2)]);
    const b = small.commit([message('r', 3), message('r', 4)]);
    await until(() => store.calls.length === 1);
    expect(store.calls[0]!.ids).toEqual(['m000001', 'm000002', 'm000003']);
    await store.calls[0]!.commit();
    await until(() => store.calls.length === 2);
    store.calls[1]!.fail(new Error('SQLITE_FULL: database or disk is full'));
    expect(await a).toEqual([STORED, STORED]);
    // m3 is stored and m4 is not: its sender must hear exactly that, not that neither was.
    expect(await b).toEqual([STORED, NOT_STORED]);
    expect(ids(await inner.listMessages('r', { limit: 10 }))).toEqual(['m000001', 'm000002', 'm000003']);
    await small.close();
  });

  it('finishes a flush once what was taken before it is committed, while messages keep arriving', async () => {
    const store = controlledStore(inner);
    const busy = new MessageCommitter({ store: store.store, logger: silent });
    void busy.commit([message('r', 0)]);
    await until(() => store.calls.length === 1);
    const queued = busy.commit([message('r', 1)]);
    let flushed = false;
    const flush = busy.flush().then(() => (flushed = true));
    void busy.commit([message('r', 2)]);
    await store.calls[0]!.commit();
    await until(() => store.calls.length === 2);
    // m1 (taken before the flush) goes with m2 (after it) in the commit now in flight.
    expect(flushed).toBe(false);
    void busy.commit([message('r', 3)]);
    await store.calls[1]!.commit();
    expect(await queued).toEqual([STORED]);
    await flush;
    // A commit (m3, after the flush) is in flight: the flush did not wait for it.
    await until(() => store.calls.length === 3);
    expect(flushed).toBe(true);
    await store.calls[2]!.commit();
    await busy.close();
  });

  it('refuses, taking none, a batch that arrives after its deadline, and a batch beyond the waiting bound', async () => {
    await expect(committer.commit([message('r', 1), message('r', 2)], Date.now() - 1)).rejects.toMatchObject({ code: 'DEADLINE_PASSED' });
    expect(committer.counters).toMatchObject({ expired: 2, committed: 0 });
    const bounded = new MessageCommitter({ store: gated.store, logger: silent, maxWaiting: 2 });
    gated.hold();
    const waiting = bounded.commit([message('r', 3), message('r', 4)]);
    await expect(bounded.commit([message('r', 5)])).rejects.toMatchObject({ code: 'BUFFER_FULL' });
    gated.release();
    await waiting;
    await bounded.close();
    expect(ids(await inner.listMessages('r', { limit: 10 }))).toEqual(['m000003', 'm000004']);
  });

  it('reads history from the store, and skips a read whose requester stopped waiting', async () => {
    await committer.commit([message('r', 1), message('r', 2)]);
    await expect(committer.history('r', undefined, 10, Date.now() - 1)).rejects.toMatchObject({ code: 'DEADLINE_PASSED' });
    expect(ids(await committer.history('r', 'm000002', 10, Date.now() + 1_000))).toEqual(['m000001']);
  });
});

/**
 * The worker's batcher and the primary's committer over a real IpcChannel pair, wired as Primary.ts
 * wires them, with a pipe whose directions can be stalled like a blocked event loop. Only the
 * clock and timeouts are faked (setImmediate, which carries the IPC, stays real).
 */
describe('chat message hand-over from worker to primary', () => {
  let dir: string;
  let store: SqliteStore;
  let log: MessageCommitter;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hand-over-'));
    store = new SqliteStore(dir);
    await store.open();
    log = new MessageCommitter({ store, logger: silent });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = () => {
    const pipe = ipcPipe();
    const worker: WorkerSideChannel = new IpcChannel(pipe.left);
    const primary = new IpcChannel<WorkerRequests, PrimaryRequests, WorkerNotes, PrimaryNotes>(pipe.right);
    primary.handle('messages.append', async ({ messages, deadline }) => ({ answers: await log.commit(messages, deadline) }));
    return { pipe, batcher: new MessageBatcher(worker) };
  };
  const settled = (promise: Promise<unknown>) => promise.then(() => 'committed', (error: { code?: string }) => error.code ?? 'error');
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
    expect(log.counters).toMatchObject({ committed: 0, expired: 1 });
  });

  it('waits for a late answer instead of contradicting it: a message the primary committed is acknowledged', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { pipe, batcher } = connect();
    pipe.toLeft.stall();
    const outcome = settled(batcher.persist(message('r', 1)));
    await until(() => pipe.toLeft.waiting === 1);
    expect(log.counters.committed).toBe(1);
    // The answer is held up for a minute, far beyond the deadline: the worker must not give up on its own.
    vi.advanceTimersByTime(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    pipe.toLeft.resume();
    expect(await outcome).toBe('committed');
    expect(ids(await log.history('r', undefined, 10))).toEqual(['m000001']);
  });

  it('fails the pending batch when the channel closes', async () => {
    const { pipe, batcher } = connect();
    pipe.toRight.stall();
    const outcome = settled(batcher.persist(message('r', 1)));
    await until(() => pipe.toRight.waiting === 1);
    pipe.disconnect();
    expect(await outcome).toBe('CHANNEL_CLOSED');
    expect(log.counters.committed).toBe(0);
  });
});
