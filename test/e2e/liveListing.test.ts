import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { FFPROBE, livePush } from '../helpers/media.js';
import { serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';
import { SseClient } from '../helpers/SseClient.js';

const run = promisify(execFile);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'thumbnails-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The test pattern is 320x240: thumbnails are scaled to this width, keeping the aspect. */
const THUMBNAIL_WIDTH = 160;
const ENV = { THUMBNAIL_SECONDS: '1', THUMBNAIL_WIDTH: String(THUMBNAIL_WIDTH), STREAM_RESUME_SECONDS: '0', LIVE_EVENTS_MAX_CLIENTS: '1' };

interface Listed {
  name: string;
  title: string;
  viewers: number;
  chatUsers: number;
  liveSince: string | null;
  thumbnailUrl: string | null;
  playlistUrl: string;
  port: number;
}

const listing = async (server: ServerProcess) => (await server.api('GET', '/api/v1/rooms/live')).body.data as Listed[];

/** Fetches a thumbnail and reads its codec and size with ffprobe. */
async function probeJpeg(url: string): Promise<{ status: number; headers: Headers; codec?: string; width?: number; height?: number }> {
  const response = await fetch(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, headers: response.headers };
  const file = path.join(scratch, `${Date.now()}-${Math.random()}.jpg`);
  writeFileSync(file, bytes);
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]);
  const [stream] = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams;
  return { status: 200, headers: response.headers, codec: stream?.codec_name, width: stream?.width, height: stream?.height };
}

describe('the live listing, its thumbnails and its event feed (real processes, real ffmpeg)', () => {
  const start = serversPerTest(afterEach);

  it('lists live rooms only, with their figures, title and thumbnail; ETag/304; SSE sees live and ended', async () => {
    const server = await start({ workers: 1, env: ENV });
    await server.createRoom('quiet');
    const port = (await server.createRoom('onair', { title: '  On Air: the show  ' })).body.data.port as number;
    expect((await server.createRoom('badtitle', { title: 'two\nlines' })).status).toBe(400);
    expect(await listing(server)).toEqual([]);

    const feed = await SseClient.connect(server.port, '/api/v1/rooms/live/events');
    expect(feed.response.statusCode).toBe(200);
    expect(feed.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(JSON.parse((await feed.next((event) => event.event === 'listing')).data)).toEqual({ data: [] });
    expect(feed.retry).toBeGreaterThan(0);
    // LIVE_EVENTS_MAX_CLIENTS=1: a second follower is refused, clearly.
    const refused = await server.api('GET', '/api/v1/rooms/live/events');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('LIVE_FEED_FULL');
    expect(refused.headers.get('retry-after')).toBe('5');

    const thumbnailUrl = `http://127.0.0.1:${port}/thumbnail.jpg`;
    const offline = await fetch(thumbnailUrl);
    expect(offline.status).toBe(404);
    expect(((await offline.json()) as { error: { code: string } }).error.code).toBe('THUMBNAIL_NOT_READY');

    const push = await livePush(port, await server.token('onair', 'producer-1', 'producer'), 30);
    const wentLive = JSON.parse((await feed.next((event) => event.event === 'live')).data) as Listed;
    expect(wentLive).toMatchObject({ name: 'onair', title: 'On Air: the show', playlistUrl: `http://127.0.0.1:${port}/hls/index.m3u8`, port });
    const chat = await ChatTestClient.join(port, { name: 'Watcher' });

    await expect.poll(async () => (await listing(server))[0], { timeout: 15_000, interval: 200 }).toMatchObject({ chatUsers: 1, viewers: 1, thumbnailUrl });
    const [room] = await listing(server);
    expect(await listing(server)).toHaveLength(1);
    expect(Date.now() - Date.parse(room!.liveSince!)).toBeGreaterThanOrEqual(0);
    expect(Date.now() - Date.parse(room!.liveSince!)).toBeLessThan(30_000);
    // The figures and the thumbnail reach the feed as `update`s.
    await feed.next((event) => event.event === 'update' && (JSON.parse(event.data) as Listed).thumbnailUrl === thumbnailUrl);

    const first = await server.api('GET', '/api/v1/rooms/live');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    const again = await server.api('GET', '/api/v1/rooms/live', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await server.api('GET', '/api/v1/rooms/live', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);

    const jpeg = await probeJpeg(thumbnailUrl);
    expect(jpeg).toMatchObject({ status: 200, codec: 'mjpeg', width: THUMBNAIL_WIDTH, height: 120 });
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(jpeg.headers.get('access-control-allow-origin')).toBe('*');
    expect(jpeg.headers.get('cache-control')).toBe('public, max-age=1');
    const cached = await fetch(thumbnailUrl, { headers: { 'if-none-match': jpeg.headers.get('etag')! } });
    expect([200, 304]).toContain(cached.status);
    expect((await fetch(thumbnailUrl, { method: 'POST' })).status).toBe(405);

    // The producer's connection is cut: its push answers nothing.
    push.answer.catch(() => undefined);
    push.drop();
    expect(JSON.parse((await feed.next((event) => event.event === 'ended')).data)).toEqual({ name: 'onair' });
    expect(await listing(server)).toEqual([]);
    await expect.poll(async () => (await fetch(thumbnailUrl)).status, { timeout: 5_000 }).toBe(404);
    chat.client.close();

    // Reconnecting with the last id seen: up to date, no second `listing`; an unknown id gets the whole list.
    const lastId = [...feed.events].reverse().find((event) => event.id !== undefined)!.id!;
    feed.close();
    const follow = async (headers: Record<string, string>) => {
      for (;;) {
        const client = await SseClient.connect(server.port, '/api/v1/rooms/live/events', headers);
        if (client.response.statusCode === 200) return client;
        // The server has not seen the previous follower leave yet.
        client.close();
        await new Promise((resolve) => client.response.once('close', resolve));
      }
    };
    const resumed = await follow({ 'last-event-id': lastId });
    await expect.poll(() => resumed.comments).toContain('up to date');
    expect(resumed.events).toEqual([]);
    resumed.close();
    const stale = await follow({ 'last-event-id': 'elsewhere-1' });
    expect(JSON.parse((await stale.next((event) => event.event === 'listing')).data)).toEqual({ data: [] });
    stale.close();
  });

  it('takes thumbnails in classic HLS mode too (from the .ts segment on disk)', async () => {
    const server = await start({ workers: 1, env: { ...ENV, HLS_MODE: 'classic' } });
    const port = (await server.createRoom('classic')).body.data.port as number;
    const push = await livePush(port, await server.token('classic', 'producer-1', 'producer'), 30);
    const thumbnailUrl = `http://127.0.0.1:${port}/thumbnail.jpg`;
    await expect.poll(async () => (await listing(server))[0]?.thumbnailUrl, { timeout: 15_000, interval: 200 }).toBe(thumbnailUrl);
    expect(await probeJpeg(thumbnailUrl)).toMatchObject({ status: 200, codec: 'mjpeg', width: THUMBNAIL_WIDTH, height: 120 });
    push.answer.catch(() => undefined);
    push.drop();
    await expect.poll(async () => (await fetch(thumbnailUrl)).status, { timeout: 5_000 }).toBe(404);
  });
});
