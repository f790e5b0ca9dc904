import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthHookClient } from '../../src/authhook/AuthHookClient.js';
import type { HookRequest } from '../../src/authhook/hookAnswer.js';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';

const REQUEST: HookRequest = { action: 'join', room: 'r', user: 'u', role: 'viewer', name: 'u', anonymous: false, ip: '127.0.0.1', protocol: 'chat' };
const ALLOW = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}';

/**
 * A raw TCP hook that answers the first request of each connection with a keep-alive allow and
 * resets the connection at the second, as a hook closing an idle connection at the moment it is
 * reused does. `connections` counts the connections the client opened.
 */
async function resettingHook(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    let requests = 0;
    socket.on('data', (chunk) => {
      if (!chunk.includes('\r\n\r\n')) return;
      requests += 1;
      if (requests === 1) socket.write(ALLOW);
      else socket.resetAndDestroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('AuthHookClient', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('keeps its connection alive between calls, and asks again on a new one when a reused connection is reset', async () => {
    const hook = await resettingHook();
    closers.push(hook.close);
    const client = new AuthHookClient({ url: hook.url, secret: newWebhookSecret(), timeoutMs: 2_000 });
    expect(await client.ask(REQUEST)).toEqual({ kind: 'allow', body: '{}' });
    expect(hook.connections()).toBe(1);
    // The kept-alive connection is reset at the second request: the client asks on a second one.
    expect(await client.ask(REQUEST)).toEqual({ kind: 'allow', body: '{}' });
    expect(hook.connections()).toBe(2);
  });

  it('fails a call whose connection is reset on a fresh connection (no retry: the hook may have seen it)', async () => {
    const server = net.createServer((socket) => socket.on('data', () => socket.resetAndDestroy()).on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = new AuthHookClient({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, secret: newWebhookSecret(), timeoutMs: 2_000 });
    expect(await client.ask(REQUEST)).toEqual({ kind: 'failed', why: 'ECONNRESET' });
  });
});
