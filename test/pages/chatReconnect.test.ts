/**
 * The chat panel's reconnects (pages/src/chat/ChatSocket.ts) against a server that welcomes and
 * then closes at once with 1011, as a worker failing right after the join would: each `welcome`
 * must not start the quick attempts afresh, so the waits grow instead of staying at half a second.
 * The page's ChatSocket runs in Node here (it needs only WebSocket, which Node has); the server is
 * a bare WebSocket server because no real chat server can be told to fail this way on cue.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

/** What this test uses of the page's ChatSocket. */
interface ChatSocketLike {
  join(): void;
  close(): void;
}
type ChatSocketClass = new (url: string, token: string, handlers: { frame(): void; link(): void; settled(): void }) => ChatSocketLike;
// Loaded by a path the server's tsconfig does not follow: page modules import with `.ts`
// extensions, which it does not allow (pages/tsconfig.json checks them).
const chatSocketModule = '../../pages/src/chat/ChatSocket.ts';
const { ChatSocket } = (await import(chatSocketModule)) as { ChatSocket: ChatSocketClass };

let server: WebSocketServer | undefined;
let chat: ChatSocketLike | undefined;

afterEach(async () => {
  chat?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe('chat reconnect', () => {
  it('backs off across sockets that are welcomed and then closed at once', async () => {
    const connectedAt: number[] = [];
    const wanted = 5;
    const enough = new Promise<void>((resolve) => {
      server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      server.on('connection', (ws) => {
        connectedAt.push(Date.now());
        if (connectedAt.length === wanted) resolve();
        ws.on('message', () => {
          const you = { id: 'u1', name: 'Ann', role: 'viewer' };
          ws.send(JSON.stringify({ type: 'welcome', room: 'lobby', you, users: [you], history: [], stream: { live: false }, welcomeText: '', limits: { maxText: 500, rate: 1, burst: 5 } }));
          ws.close(1011, 'worker failed');
        });
      });
    });
    await new Promise((resolve) => server!.once('listening', resolve));
    const { port } = server!.address() as AddressInfo;
    chat = new ChatSocket(`ws://127.0.0.1:${port}/chat`, 'token', { frame: () => undefined, link: () => undefined, settled: () => undefined });
    chat.join();
    await enough;
    const gaps = connectedAt.slice(1).map((at, i) => at - connectedAt[i]!);
    // Doubling from 0.3 s: the fourth wait is 2.4 s (it was 0.5 s every time when each welcome reset the backoff).
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(2000);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]! * 4);
  });
});
