import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/createLogger.js';
import { LiveListingFeed } from '../../src/kit/LiveListingFeed.js';
import { SseClient } from '../helpers/SseClient.js';

interface Room {
  readonly name: string;
  readonly viewers: number;
}

/** A real HTTP server whose every request follows the feed. */
async function serve(feed: LiveListingFeed<Room>): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => feed.follow(res, req.headers['last-event-id'] as string | undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      feed.close();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('LiveListingFeed, a client joining between polls', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('tells the clients already following what changed before the newcomer came, not only the newcomer', async () => {
    let rooms: Room[] = [];
    // A poll far away: only a newcomer's arrival reads the listing within the test.
    const feed = new LiveListingFeed<Room>({ read: () => rooms, maxClients: 10, logger: createLogger('silent'), pollMs: 60_000 });
    const { port, close } = await serve(feed);
    cleanups.push(close);
    const first = await SseClient.connect(port, '/');
    await first.next((event) => event.event === 'listing');
    rooms = [{ name: 'r1', viewers: 3 }];
    const second = await SseClient.connect(port, '/');
    expect(JSON.parse((await second.next((event) => event.event === 'listing')).data)).toEqual({ data: rooms });
    expect(JSON.parse((await first.next((event) => event.event === 'live')).data)).toEqual(rooms[0]);
    first.close();
    second.close();
  });
});
