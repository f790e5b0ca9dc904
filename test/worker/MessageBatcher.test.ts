import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpcChannel, IpcError } from '../../src/ipc/IpcChannel.js';
import type { CommitAnswer, PrimaryNotes, PrimaryRequests, WorkerNotes, WorkerRequests } from '../../src/contracts/ipc.js';
import type { WorkerSideChannel } from '../../src/ipc/endpoints.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { APPEND_DEADLINE_MS, MessageBatcher } from '../../src/worker/MessageBatcher.js';
import { ipcPipe } from '../helpers/ipcPipe.js';

const message = (room: string, n: number): ChatMessageRecord => ({ room, id: `m${String(n).padStart(6, '0')}`, user: 'u1', name: 'Ann', text: `text ${n}`, ts: n });

type Append = PrimaryRequests['messages.append'][0];

/**
 * A batcher on the worker's end of a real IpcChannel pair; the primary's end answers
 * `messages.append` with `answer` (every message stored unless a test says otherwise) and
 * records each request it gets.
 */
function connect(answer: (request: Append) => Promise<CommitAnswer[]> | CommitAnswer[] = ({ messages }) => messages.map(() => ({ stored: true }))) {
  const pipe = ipcPipe();
  const worker: WorkerSideChannel = new IpcChannel(pipe.left);
  const primary = new IpcChannel<WorkerRequests, PrimaryRequests, WorkerNotes, PrimaryNotes>(pipe.right);
  const requests: Append[] = [];
  primary.handle('messages.append', async (request) => {
    requests.push(request);
    return { answers: await answer(request) };
  });
  return { pipe, requests, batcher: new MessageBatcher(worker) };
}

/** 'stored', 'first <id>' (a resend answered with the first message), or the error's code and message. */
const outcome = (promise: Promise<ChatMessageRecord | null>) =>
  promise.then(
    (first) => (first === null ? 'stored' : `first ${first.id}`),
    (error: unknown) => (error instanceof IpcError ? `${error.code}: ${error.message}` : `not an IpcError: ${String(error)}`),
  );

const nextTick = () => new Promise((resolve) => setImmediate(resolve));
const until = async (condition: () => boolean) => {
  while (!condition()) await nextTick();
};

describe('MessageBatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends every message of a tick, whatever its room, in one request, in order; a later tick gets its own', async () => {
    const { requests, batcher } = connect();
    const first = [message('a', 1), message('b', 2), message('a', 3)].map((record) => batcher.persist(record));
    expect(await Promise.all(first.map(outcome))).toEqual(['stored', 'stored', 'stored']);
    expect(await outcome(batcher.persist(message('c', 4)))).toBe('stored');

    expect(requests.map((request) => request.messages.map((m) => `${m.room}/${m.id}`))).toEqual([['a/m000001', 'b/m000002', 'a/m000003'], ['c/m000004']]);
  });

  it('cuts a tick of more than 1000 messages into batches of at most 1000, and answers each message of each', async () => {
    const { requests, batcher } = connect();
    const records = Array.from({ length: 2_500 }, (_, i) => message(`room-${i % 7}`, i));
    const results = await Promise.all(records.map((record) => outcome(batcher.persist(record))));

    expect(requests.map((request) => request.messages.length)).toEqual([1_000, 1_000, 500]);
    expect(requests.flatMap((request) => request.messages)).toEqual(records);
    expect(results.every((result) => result === 'stored')).toBe(true);
  });

  it('gives the primary a deadline APPEND_DEADLINE_MS after the batch leaves', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    const { requests, batcher } = connect();
    await batcher.persist(message('a', 1));
    expect(requests.map((request) => request.deadline)).toEqual([1_700_000_000_000 + APPEND_DEADLINE_MS]);
  });

  it('answers each message as the primary answered it: stored, stored earlier (a resend), or refused with its reason', async () => {
    const earlier = message('a', 0);
    const { batcher } = connect(() => [{ stored: true }, { stored: true, first: earlier }, { stored: false, reason: 'the store is full' }]);
    const results = [message('a', 1), message('a', 2), message('a', 3), message('a', 4)].map((record) => outcome(batcher.persist(record)));

    expect(await Promise.all(results)).toEqual([
      'stored',
      `first ${earlier.id}`,
      'FAILED: the store is full',
      // The primary's answer holds three answers for four messages: the fourth is not taken as stored.
      'FAILED: no answer for this message',
    ]);
  });

  it('fails every message of a batch the primary refused whole, with the primary\'s code', async () => {
    const { batcher } = connect(() => {
      throw new IpcError('DEADLINE_PASSED', 'the batch arrived after its deadline');
    });
    const results = [message('a', 1), message('b', 2)].map((record) => outcome(batcher.persist(record)));
    expect(await Promise.all(results)).toEqual(['DEADLINE_PASSED: the batch arrived after its deadline', 'DEADLINE_PASSED: the batch arrived after its deadline']);
  });

  it('waits for the primary\'s answer however late it comes: no timeout of its own', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { pipe, batcher } = connect();
    pipe.toLeft.stall();
    const result = outcome(batcher.persist(message('a', 1)));
    await until(() => pipe.toLeft.waiting === 1);
    vi.advanceTimersByTime(10 * 60_000);
    await nextTick();
    pipe.toLeft.resume();
    expect(await result).toBe('stored');
  });

  it('fails every message in flight when the channel closes, and every later one', async () => {
    const { pipe, requests, batcher } = connect();
    pipe.toRight.stall();
    const inFlight = Array.from({ length: 1_500 }, (_, i) => outcome(batcher.persist(message('a', i))));
    await until(() => pipe.toRight.waiting === 2);
    pipe.disconnect();

    const results = await Promise.all(inFlight);
    expect(results.every((result) => result.startsWith('CHANNEL_CLOSED:')), results.find((result) => !result.startsWith('CHANNEL_CLOSED:'))).toBe(true);
    expect(await outcome(batcher.persist(message('a', 2_000)))).toMatch(/^CHANNEL_CLOSED:/);
    expect(requests).toEqual([]);
  });
});
