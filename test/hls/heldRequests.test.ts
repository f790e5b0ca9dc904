import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HeldRequests } from '../../src/hls/ll/HeldRequests.js';

/** A real HTTP server whose every request is held by `held` until `ready()`; answers 200 "ready" or 503 "expired". */
async function holdingServer(held: HeldRequests, ready: () => boolean, timeoutMs = 10_000) {
  const closed: string[] = [];
  const server = http.createServer((req, res) => {
    const address = req.headers['x-address'] as string;
    const refused = held.hold(res, address, timeoutMs, ready, () => res.end('ready'), () => {
      res.statusCode = 503;
      res.end('expired');
    });
    if (refused) {
      res.statusCode = refused === 'address' ? 429 : 503;
      res.end(refused);
    }
    res.once('close', () => closed.push(req.headers['x-id'] as string));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let ids = 0;
  const request = (address: string) => {
    const id = `${address}${(ids += 1)}`;
    const req = http.get({ host: '127.0.0.1', port, headers: { 'x-address': address, 'x-id': id }, agent: false });
    const answer = new Promise<{ status: number; body: string }>((resolve) => {
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', () => resolve({ status: -1, body: '' }));
    });
    return { req, answer, id };
  };
  return { server, request, closed };
}

describe('HeldRequests', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it('answers held requests once ready, bounds them per address and per room, and frees places on hang-up', async () => {
    const held = new HeldRequests({ perAddress: 2, perRoom: 3 });
    let isReady = false;
    const { server, request, closed } = await holdingServer(held, () => isReady);
    servers.push(server);
    const a1 = request('a');
    const a2 = request('a');
    await expect.poll(() => held.size).toBe(2);
    expect((await request('a').answer).status).toBe(429);
    const b1 = request('b');
    await expect.poll(() => held.size).toBe(3);
    expect((await request('c').answer).body).toBe('room');
    // A client that hangs up frees its place at once.
    a1.req.destroy();
    await expect.poll(() => closed.includes(a1.id)).toBe(true);
    expect(held.size).toBe(2);
    const a3 = request('a');
    await expect.poll(() => held.size).toBe(3);
    // Nothing is answered before it is ready; then everything held is.
    held.recheck();
    expect(held.size).toBe(3);
    isReady = true;
    held.recheck();
    expect(await Promise.all([a2.answer, b1.answer, a3.answer])).toEqual([
      { status: 200, body: 'ready' },
      { status: 200, body: 'ready' },
      { status: 200, body: 'ready' },
    ]);
    expect(held.size).toBe(0);
  });

  it('expires a request that waited too long, once, and answers the rest when the room goes', async () => {
    const held = new HeldRequests({ perAddress: 10, perRoom: 10 });
    const { server, request } = await holdingServer(held, () => false, 200);
    servers.push(server);
    expect(await request('a').answer).toEqual({ status: 503, body: 'expired' });
    expect(held.size).toBe(0);
    const { server: second, request: ask } = await holdingServer(held, () => false, 60_000);
    servers.push(second);
    const waiting = ask('a');
    await expect.poll(() => held.size).toBe(1);
    held.releaseAll((res) => {
      res.statusCode = 404;
      res.end('gone');
    });
    expect(await waiting.answer).toEqual({ status: 404, body: 'gone' });
    held.recheck();
    expect(held.size).toBe(0);
  });
});
