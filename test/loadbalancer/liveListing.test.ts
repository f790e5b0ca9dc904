import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { livePush } from '../helpers/media.js';
import { ServerProcess } from '../helpers/ServerProcess.js';
import { SseClient } from '../helpers/SseClient.js';

const HEARTBEAT_MS = 300;
const LB_KEY = 'LB_TESTING_KEY';

interface Listed {
  name: string;
  title: string;
  viewers: number;
  liveSince: string | null;
  thumbnailUrl: string | null;
  playlistUrl: string;
  port: number;
  server?: string;
  host?: string;
}

/** One load balancer and two chat servers, real processes: the listing across them. */
describe('the live listing on a load balancer', () => {
  let lb: ServerProcess;
  const chats: ServerProcess[] = [];

  beforeAll(async () => {
    lb = await ServerProcess.startLoadBalancer(0, { HEARTBEAT_MS: String(HEARTBEAT_MS), DROP_AFTER_MS: '20000', WARNING_LOAD: '0.99', FULL_LOAD: '1' });
    const env = { LOADBALANCERS: `http://127.0.0.1:${lb.port}`, LOADBALANCER_KEY: LB_KEY, THUMBNAIL_SECONDS: '1', STREAM_RESUME_SECONDS: '0' };
    chats.push(...(await Promise.all([ServerProcess.start({ workers: 1, env }), ServerProcess.start({ workers: 1, env })])));
  });
  afterAll(async () => {
    await Promise.all(chats.map((chat) => chat.dispose()));
    await lb?.dispose();
  });

  it('lists the live rooms of every server as they list them, with ETag/304 and the event feed', async () => {
    const [a, b] = chats as [ServerProcess, ServerProcess];
    await b.createRoom('idle');
    const port = (await a.createRoom('stage', { title: 'Main stage' })).body.data.port as number;
    await expect.poll(async () => (await lb.api('GET', '/api/v1/rooms')).body.data.length, { timeout: 10_000 }).toBe(2);
    const lbListing = async () => (await lb.api('GET', '/api/v1/rooms/live')).body.data as Listed[];
    expect(await lbListing()).toEqual([]);
    const feed = await SseClient.connect(lb.port, '/api/v1/rooms/live/events');
    expect(JSON.parse((await feed.next((event) => event.event === 'listing')).data)).toEqual({ data: [] });

    const push = await livePush(port, await a.token('stage', 'producer-1', 'producer'), 30);
    // Once the thumbnail is there, the server's own listing and the load balancer's agree (figures settled: nobody watches).
    await expect.poll(async () => (await a.api('GET', '/api/v1/rooms/live')).body.data[0]?.thumbnailUrl, { timeout: 15_000, interval: 200 }).toBe(`http://127.0.0.1:${port}/thumbnail.jpg`);
    const own = (await a.api('GET', '/api/v1/rooms/live')).body.data as Listed[];
    await expect.poll(lbListing, { timeout: 5_000, interval: 100 }).toEqual(own.map((room) => ({ ...room, server: expect.any(String), host: '127.0.0.1' })));
    expect(own[0]).toMatchObject({ name: 'stage', title: 'Main stage', playlistUrl: `http://127.0.0.1:${port}/hls/index.m3u8` });
    expect(JSON.parse((await feed.next((event) => event.event === 'live')).data)).toMatchObject({ name: 'stage', title: 'Main stage' });

    const first = await lb.api('GET', '/api/v1/rooms/live');
    const etag = first.headers.get('etag')!;
    expect((await lb.api('GET', '/api/v1/rooms/live', { headers: { 'if-none-match': etag } })).status).toBe(304);

    push.answer.catch(() => undefined);
    push.drop();
    expect(JSON.parse((await feed.next((event) => event.event === 'ended')).data)).toEqual({ name: 'stage' });
    expect(await lbListing()).toEqual([]);
    feed.close();
    // The room directory still finds rooms by name beside the listing.
    expect((await lb.api('GET', '/api/v1/rooms/stage')).body.data).toMatchObject({ port });
  });
});
