import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenderThread } from '../../../src/primary/webhooks/SenderThread.js';
import { SENDER_THREAD_NICE } from '../../../src/primary/webhooks/threadPriority.js';
import type { WebhookTarget } from '../../../src/primary/webhooks/webhookTarget.js';

/** The thread runs the built module (npm test builds before vitest): a worker thread cannot load src/'s TypeScript. */
const BUILT_ENTRY = new URL('../../../dist/primary/webhooks/senderThreadEntry.js', import.meta.url);
const STOPPING_ENTRY = new URL('../../fixtures/stoppingSenderThread.mjs', import.meta.url);
const STUCK_ENTRY = new URL('../../fixtures/stuckSenderThread.mjs', import.meta.url);

describe('SenderThread: webhook attempts in a worker thread', () => {
  const received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let receiver: http.Server;
  let target: (path: string) => WebhookTarget;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/gone') return void res.writeHead(410).end();
        if (req.url === '/hang') return;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    // The URL's host is a name that does not resolve: the thread connects to the checked address it is given.
    target = (path) => ({ url: new URL(`http://webhooks.invalid:${port}${path}`), address: '127.0.0.1', family: 4 });
  });
  afterAll(() => {
    receiver.closeAllConnections();
    receiver.close();
  });

  it.runIf(process.platform === 'linux')('runs the thread at a lower scheduling priority than the primary (chat work first)', async () => {
    const before = os.getPriority();
    const thread = new SenderThread(pino({ level: 'silent' }), { entry: BUILT_ENTRY });
    try {
      // Once it has sent something the thread has run its start (where it lowers its priority).
      expect(await thread.sender('ep_nice', 1, 500).send(target('/ok'), {}, '{}')).toEqual({ status: 204, error: null });
      const niceOf = (name: string): number[] =>
        readdirSync('/proc/self/task')
          .filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name)
          // Field 19 of stat is the nice value; the fields after the command's closing parenthesis start at field 3.
          .map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
      expect(niceOf('webhook-sender')).toEqual([Math.max(before, SENDER_THREAD_NICE)]);
      // The primary's own threads keep theirs.
      expect(os.getPriority()).toBe(before);
    } finally {
      await thread.close();
      received.length = 0;
    }
  });

  it('sends each attempt with its headers and body to the checked address and brings back the status', async () => {
    const thread = new SenderThread(pino({ level: 'silent' }), { entry: BUILT_ENTRY });
    const sender = thread.sender('ep_1', 4, 500);
    const results = await Promise.all([
      sender.send(target('/ok'), { 'webhook-id': 'msg_1' }, '{"n":1}'),
      sender.send(target('/gone'), { 'webhook-id': 'msg_2' }, '{"n":2}'),
      sender.send(target('/hang'), { 'webhook-id': 'msg_3' }, '{"n":3}'),
    ]);
    expect(results).toEqual([
      { status: 204, error: null },
      { status: 410, error: 'HTTP 410' },
      { status: null, error: 'no answer within 500 ms' },
    ]);
    const ok = received.find((r) => r.path === '/ok')!;
    expect(ok.headers['webhook-id']).toBe('msg_1');
    expect(ok.headers['content-type']).toBe('application/json');
    expect(ok.body).toBe('{"n":1}');
    await thread.close();
    expect(await sender.send(target('/ok'), {}, '{}')).toEqual({ status: null, error: 'the server is shutting down' });
  });

  it('ends the attempts of a thread that stopped as failures (retried on the schedule) and starts a new thread', async () => {
    const errors: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line).msg as string) });
    const thread = new SenderThread(logger, { entry: STOPPING_ENTRY, restartBaseMs: 200 });
    const sender = thread.sender('ep_2', 1, 500);
    expect(await sender.send(target('/ok'), {}, '{}')).toEqual({ status: null, error: 'the sender thread stopped (3)' });
    expect(errors).toContain('webhook sender thread stopped; its attempts are retried, a new thread sends');
    // It stopped at start: until the new thread runs, attempts fail at once rather than wait.
    const restarted = once(thread, 'started');
    expect(await sender.send(target('/ok'), {}, '{}')).toEqual({ status: null, error: 'the sender thread is restarting' });
    await restarted;
    expect(thread.restarts).toBe(1);
    // The new thread takes attempts (and stops too: the attempt fails the same way, not as "restarting").
    expect(await sender.send(target('/ok'), {}, '{}')).toEqual({ status: null, error: 'the sender thread stopped (3)' });
    await thread.close();
  });

  it('replaces a thread that leaves attempts unanswered past their timeout (stuck), failing them', async () => {
    const errors: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line).msg as string) });
    const thread = new SenderThread(logger, { entry: STUCK_ENTRY });
    const sender = thread.sender('ep_3', 1, 100);
    const started = performance.now();
    const result = await sender.send(target('/ok'), {}, '{}');
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/^the sender thread stopped/);
    // Not before its timeout (100 ms) and the margin (5 s) passed.
    expect(performance.now() - started).toBeGreaterThan(5_000);
    expect(errors).toContain('webhook sender thread left attempts unanswered past their timeout: replacing it');
    await once(thread, 'started');
    expect(thread.restarts).toBe(1);
    await thread.close();
  }, 15_000);
});
