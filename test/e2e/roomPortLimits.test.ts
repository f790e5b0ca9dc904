import { readdirSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pushTestPattern, sampleMedia } from '../helpers/media.js';
import { IngestSocket, rawRequest } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const CAP = 10;
const REQUEST_TIMEOUT_MS = 2_000;
const TRICKLERS = 40;

/**
 * A client that sends headers and then trickles a chunked body forever (a byte every 250 ms):
 * `answer` is the status of the first response it gets, `closed` when the server closed on it.
 */
function trickle(port: number, path: string, first: Buffer = Buffer.alloc(0), localAddress = '127.0.0.1') {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  let received = '';
  let drip: NodeJS.Timeout | undefined;
  const answer = new Promise<number | null>((resolve) => {
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (received.includes('\r\n')) resolve(Number(received.split(' ')[1]));
    });
    socket.once('close', () => resolve(null));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => (clearInterval(drip), resolve())));
  socket.once('connect', () => {
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`);
    if (first.length > 0) socket.write(Buffer.concat([Buffer.from(`${first.length.toString(16)}\r\n`), first, Buffer.from('\r\n')]));
    drip = setInterval(() => socket.writable && socket.write('1\r\nA\r\n'), 250);
  });
  return { answer, closed, body: () => received.slice(received.indexOf('\r\n\r\n') + 4) };
}

/** Resolves when `promise` does, or with 'timeout' after `ms` (to report what is still pending instead of hanging). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
}

/** A chat client from another address joins and gets its ping answered. */
async function chatFrom(port: number, localAddress: string): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`, { localAddress });
  const frames: Array<{ type: string }> = [];
  const next = (type: string) =>
    new Promise<void>((resolve) => {
      const check = () => frames.some((f) => f.type === type) && resolve();
      ws.on('message', (data) => (frames.push(JSON.parse(String(data)) as { type: string }), check()));
      check();
    });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  ws.send(JSON.stringify({ type: 'join', name: 'neighbour' }));
  await next('welcome');
  ws.send(JSON.stringify({ type: 'ping' }));
  await next('pong');
  ws.close();
  return 'pong';
}

describe('room ports: request timeouts, the per-address cap and the ingest rate bounds', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;
  let workerPid: number;
  const openFiles = () => readdirSync(`/proc/${workerPid}/fd`).length;

  beforeAll(async () => {
    server = await start({
      workers: 1,
      env: {
        MAX_CONNECTIONS_PER_IP: String(CAP),
        ROOM_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        INGEST_MAX_KBPS: '1000',
        INGEST_BURST_SECONDS: '2',
      },
    });
    port = (await server.createRoom('guarded')).body.data.port;
    workerPid = (await server.stats()).workers[0].pid as number;
  });

  it('cuts an address trickling request bodies on many connections, with bounded descriptors, and serves others meanwhile', async () => {
    const before = openFiles();
    const started = performance.now();
    const clients = Array.from({ length: TRICKLERS }, () => trickle(port, '/'));
    const answers = await Promise.all(clients.map((client) => client.answer));
    // A refused connection is closed right after its 429 (Connection: close): its descriptor is
    // counted once the client has seen that close, which follows the server's own close.
    await Promise.all(clients.filter((_, i) => answers[i] === 429).map((client) => client.closed));
    const heldOpen = openFiles() - before;
    // Another address is served while the first is at its cap.
    expect((await rawRequest(port, '/', { localAddress: '127.0.0.2' })).status).toBe(200);
    expect(await chatFrom(port, '127.0.0.2')).toBe('pong');

    const allClosed = await within(Promise.all(clients.map((client) => client.closed)), 15_000);
    const seen = `answers ${JSON.stringify(answers)}; ${heldOpen} more descriptors; all closed: ${allClosed === 'timeout' ? 'no' : `after ${Math.round(performance.now() - started)} ms`}`;
    expect(allClosed, seen).not.toBe('timeout');
    // The cap's worth got their answer (405: POST on /) and were cut at the body timeout; the rest 429 at once.
    expect(answers.filter((status) => status === 429).length, seen).toBe(TRICKLERS - CAP);
    expect(answers.filter((status) => status === 405).length, seen).toBe(CAP);
    expect(heldOpen, seen).toBeLessThanOrEqual(CAP + 5);
    // The lines docs/security.md promises for these cuts and refusals (the answers are checked above).
    await server.waitForLog((line) => line.msg === 'request body too slow: connection cut');
    await server.waitForLog((line) => line.msg === 'connection refused: too many from one address');
    expect((await rawRequest(port, '/')).status).toBe(200);
  }, 30_000);

  it('cuts an HTTP ingest that trickles below INGEST_MIN_KBPS with 408, and lets its stream end', async () => {
    const token = await server.token('guarded', 'trickler', 'producer');
    const head: Buffer = (await sampleMedia('ts-h264-aac', 1)).subarray(0, 188 * 100);
    const producer = trickle(port, `/ingest?token=${token}`, head);
    const answer = await within(producer.answer, 15_000);
    expect(answer).toBe(408);
    await producer.closed;
    expect(JSON.parse(producer.body()).error.code).toBe('REQUEST_TIMEOUT');
    // The measured rate shows only in the line docs/security.md promises for this cut.
    const cut = await server.waitForLog((line) => line.msg === 'ingest too slow: cut');
    expect(cut.kbps).toBeLessThan(8);
    await expect.poll(async () => JSON.parse((await rawRequest(port, `/ingest?token=${token}`)).body.toString()).data.ready, { timeout: 15_000 }).toBe(true);
  }, 30_000);

  it('keeps a real ffmpeg push that lasts longer than the request timeout', async () => {
    const token = await server.token('guarded', 'camera', 'producer');
    const since = server.logs.length;
    const started = performance.now();
    const { code, stderr } = await pushTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, (REQUEST_TIMEOUT_MS * 3) / 1000);
    // ffmpeg pushes in real time (-re) and exits 0 only on the server's answer to the whole body.
    expect(code, stderr).toBe(0);
    expect(performance.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS * 2);
    // Neither cut docs/security.md names was logged for it.
    expect(server.logs.slice(since).filter((line) => line.msg === 'ingest too slow: cut' || line.msg === 'request body too slow: connection cut')).toEqual([]);
    await expect.poll(async () => JSON.parse((await rawRequest(port, `/ingest?token=${token}`)).body.toString()).data?.ready, { timeout: 15_000 }).toBe(true);
  }, 60_000);

  it('cuts a producer pushing above INGEST_MAX_KBPS, over HTTP (429) and WebSocket (4029), naming its rate', async () => {
    const token = await server.token('guarded', 'firehose', 'producer');
    const since = server.logs.length;
    const post = await rawRequest(port, `/ingest?token=${token}`, { method: 'POST', body: await sampleMedia('ts-h264-aac', 20) });
    expect(post.status).toBe(429);
    expect(JSON.parse(post.body.toString()).error).toMatchObject({ code: 'INGEST_TOO_FAST', message: expect.stringMatching(/arrives at \d+ kbps, above this server's cap of 1000 kbps/) });
    // docs/security.md: "the message and the log line give the measured rate".
    const logged = await server.waitForLog((line) => line.msg === 'ingest failed' && line.code === 'INGEST_TOO_FAST', 10_000, since);
    expect(logged.reason).toMatch(/\d+ kbps/);

    await expect.poll(async () => JSON.parse((await rawRequest(port, `/ingest?token=${token}`)).body.toString()).data?.ready, { timeout: 15_000 }).toBe(true);
    const socket = await IngestSocket.open(port, token);
    await socket.feed(await sampleMedia('webm-vp8-opus', 10));
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'INGEST_TOO_FAST' });
    expect((await socket.closed).code).toBe(4029);
  }, 60_000);
});
