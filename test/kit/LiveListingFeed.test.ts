import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/createLogger.js';
import { LiveListingFeed, type LiveListingFeedOptions } from '../../src/kit/LiveListingFeed.js';
import { SseClient } from '../helpers/SseClient.js';

interface Room {
  readonly name: string;
  readonly title: string;
}

/** A feed served by a real HTTP server in the test; `logged` resolves when a log line contains a text. */
async function serveFeed(options: Omit<LiveListingFeedOptions<Room>, 'logger' | 'maxClients'>) {
  const lines: string[] = [];
  const lineWaiters: Array<{ text: string; resolve: () => void }> = [];
  const destination = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      const line = chunk.toString('utf8');
      lines.push(line);
      for (const waiter of lineWaiters.filter((w) => line.includes(w.text))) waiter.resolve();
      done();
    },
  });
  const feed = new LiveListingFeed<Room>({ ...options, maxClients: 10, logger: createLogger('info', {}, { destination }) });
  const server = http.createServer((req, res) => feed.follow(res, req.headers['last-event-id'] as string | undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    feed,
    port: (server.address() as net.AddressInfo).port,
    logged: (text: string) => (lines.some((line) => line.includes(text)) ? Promise.resolve() : new Promise<void>((resolve) => lineWaiters.push({ text, resolve }))),
    close: async () => {
      feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('LiveListingFeed', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('sends a keep-alive comment after keepAliveMs without events, and none while events flow', async () => {
    let rooms: Room[] = [];
    const served = await serveFeed({ read: () => rooms, pollMs: 20, keepAliveMs: 200 });
    closers.push(served.close);
    const connectedAt = performance.now();
    const client = await SseClient.connect(served.port, '/');
    closers.push(() => client.close());
    await client.next((event) => event.event === 'listing');
    await client.nextComment('keep-alive', 5_000);
    // Ten quiet polls of 20 ms: never sooner (timers do not fire early).
    expect(performance.now() - connectedAt).toBeGreaterThanOrEqual(200);

    // A change at every poll for twice the keep-alive time: events keep the stream busy, no comment is added.
    const comments = client.comments.length;
    let version = 0;
    const changing = setInterval(() => (rooms = [{ name: 'stage', title: `take ${++version}` }]), 10);
    closers.push(() => clearInterval(changing));
    let changes = 0;
    await client.next((event) => (event.event === 'update' || event.event === 'live') && ++changes >= 20);
    clearInterval(changing);
    expect(client.comments.length).toBe(comments);
  });

  it('drops a client that stops reading once its unsent bytes pass the bound; a reading client goes on', async () => {
    const title = 'x'.repeat(16 * 1024);
    let version = 0;
    const served = await serveFeed({ read: () => [{ name: 'big', title: `${title}${++version}` }], pollMs: 5, maxBufferedBytes: 64 * 1024 });
    closers.push(served.close);
    const reader = await SseClient.connect(served.port, '/');
    closers.push(() => reader.close());

    // A real socket that sends the request and then never reads: the kernel's buffers fill, then the feed's.
    const stalled = net.connect(served.port, '127.0.0.1');
    closers.push(() => stalled.destroy());
    stalled.on('error', () => undefined);
    await new Promise<void>((resolve) => stalled.once('connect', resolve));
    stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    stalled.pause();

    await served.logged('live listing client is not reading: dropped');
    expect(served.feed.clients).toBe(1);
    // The reader still gets updates after the drop.
    const seen = reader.events.length;
    await reader.next((event) => event.event === 'update' && reader.events.indexOf(event) >= seen);
    // Once it reads again, the stalled client finds its stream ended (what it had buffered, then the end).
    const ended = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.resume();
    await ended;
  }, 20_000);
});
