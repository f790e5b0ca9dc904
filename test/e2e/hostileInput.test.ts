import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const CAP = 5;

/** Connects a WebSocket from a given local address; resolves with it, or with the refused status. */
function connect(port: number, localAddress = '127.0.0.1'): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`, { localAddress });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('hostile clients', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;

  beforeAll(async () => {
    server = await start({ workers: 1, env: { MAX_CONNECTIONS_PER_IP: String(CAP) } });
    port = (await server.createRoom('guarded')).body.data.port;
  });

  it('caps the WebSocket connections one address holds (429), and frees a slot when one closes', async () => {
    const sockets = (await Promise.all(Array.from({ length: CAP }, () => connect(port)))) as WebSocket[];
    expect(sockets.every((ws) => ws instanceof WebSocket)).toBe(true);
    expect(await connect(port)).toBe(429);
    const other = await connect(port, '127.0.0.2');
    expect(other).toBeInstanceOf(WebSocket);
    (other as WebSocket).close();
    const closed = new Promise((resolve) => sockets[0]!.once('close', resolve));
    sockets[0]!.close();
    await closed;
    await expect.poll(async () => {
      const again = await connect(port);
      if (again instanceof WebSocket) again.close();
      return again instanceof WebSocket;
    }, { timeout: 5_000 }).toBe(true);
    for (const ws of sockets) ws.close();
    // The line docs/security.md promises for a refused connection (the 429 itself is checked above).
    expect(server.logs.some((line) => line.msg === 'connection refused: too many from one address')).toBe(true);
  });

  it('cuts slowloris clients that never finish their headers, on room, public and admin ports', async () => {
    const slowloris = async (target: number) => {
      const socket = net.connect(target, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => socket.writable && socket.write('X'), 500);
      const started = Date.now();
      await new Promise((resolve) => socket.once('close', resolve));
      clearInterval(drip);
      return Date.now() - started;
    };
    const cutAfter = await Promise.all([port, server.port, server.adminPort].map(slowloris));
    // Headers must arrive within 10 s; the servers check every second.
    for (const ms of cutAfter) expect(ms).toBeLessThan(13_000);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect((await server.api('GET', '/health')).status).toBe(200);
  }, 20_000);

  it('closes a chat socket that never joins (4002 join timeout) and keeps the joined ones', async () => {
    const closedWith = (ws: WebSocket) => new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
    const idle = (await connect(port)) as WebSocket;
    const started = Date.now();
    const idleClosed = closedWith(idle);
    const joined = (await connect(port)) as WebSocket;
    const welcomed = new Promise((resolve) => joined.on('message', (data) => String(data).includes('"welcome"') && resolve(true)));
    joined.send(JSON.stringify({ type: 'join', name: 'stays' }));
    await welcomed;
    const { code, at } = await idleClosed;
    expect(code).toBe(4002);
    // The timeout is 10 s, checked every second.
    expect(at - started).toBeGreaterThan(9_000);
    expect(at - started).toBeLessThan(12_500);
    expect(joined.readyState).toBe(WebSocket.OPEN);
    joined.close();
  }, 20_000);

  it('refuses oversized headers and prototype-polluting bodies with clear errors', async () => {
    const huge = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
    });
    expect(huge).toMatch(/^HTTP\/1\.1 431/);

    const polluting = [
      '{"settings":{"__proto__":{"anonymous":false}}}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
    ];
    for (const body of polluting) {
      const answer = await server.api('POST', '/api/v1/room/polluted', { key: server.env.KEY, body, headers: { 'content-type': 'application/json' } });
      expect(answer.status, body).toBe(400);
      expect(answer.body.error.code, body).toBe('BAD_REQUEST');
    }
    const settings = await server.api('PATCH', '/api/v1/settings', { admin: true, key: server.env.ADMIN_KEY, body: '{"__proto__":{"historySize":1}}', headers: { 'content-type': 'application/json' } });
    expect(settings.status).toBe(400);
    expect((await server.api('GET', '/health')).status).toBe(200);
  });
});
