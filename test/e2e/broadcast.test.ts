import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { probe, pushTestPattern, sampleMedia } from '../helpers/media.js';
import { ffmpegWriting } from '../helpers/processes.js';
import { IngestSocket, rawRequest } from '../helpers/producer.js';
import { roomWatchers, streamsStarted } from '../helpers/roomWatchers.js';
import { isAlive, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** Real server in classic HLS mode (MPEG-TS written by ffmpeg), real ffmpeg on both ends (the pusher and the server's transcoder), ffprobe as the judge. test/e2e/llHls*.test.ts cover the same in Low-Latency mode. */
describe('live broadcast (classic HLS): ingest -> ffmpeg -> HLS', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const { rooms, clients, join } = roomWatchers(afterAll);

  const playlist = async (room: string) => {
    const response = await fetch(`http://127.0.0.1:${rooms[room]}/hls/index.m3u8`);
    return { response, text: response.ok ? await response.text() : '' };
  };

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 10, env: { HLS_MODE: 'classic' } });
    for (const name of ['socket', 'busy', 'garbage', 'paths', 'crash']) rooms[name] = (await server.createRoom(name)).body.data.port;
    rooms.http = (await server.createRoom('http', { windowSegments: 3 })).body.data.port;
  });

  it('refuses a missing or forged token (401) and a viewer token (403), over HTTP and WebSocket', async () => {
    const port = rooms.http!;
    const startedBefore = await streamsStarted(server);
    const viewer = await server.token('http', 'v1', 'viewer');
    const moderator = await server.token('http', 'm1', 'moderator');
    const otherRoom = await server.token('socket', 'p1', 'producer');
    const cases: Array<[string | null, number, string]> = [
      [null, 401, 'TOKEN_REQUIRED'],
      ['not.a.jwt', 401, 'TOKEN_INVALID'],
      [otherRoom, 401, 'TOKEN_INVALID'],
      [viewer, 403, 'FORBIDDEN'],
      [moderator, 403, 'FORBIDDEN'],
    ];
    for (const [token, status, code] of cases) {
      const query = token === null ? '' : `?token=${token}`;
      const post = await rawRequest(port, `/ingest${query}`, { method: 'POST', body: Buffer.alloc(4096, 0x47) });
      expect(post.status).toBe(status);
      expect(JSON.parse(post.body.toString()).error.code).toBe(code);
      const refused = await IngestSocket.open(port, token).then(
        () => null,
        (error: { status: number; body: { error: { code: string } } }) => error,
      );
      expect(refused?.status).toBe(status);
      expect(refused?.body.error.code).toBe(code);
    }
    const bearer = await rawRequest(port, '/ingest', { headers: { authorization: `Bearer ${await server.token('http', 'p1', 'producer')}` } });
    expect(bearer.status).toBe(200);
    expect(JSON.parse(bearer.body.toString()).data).toMatchObject({ room: 'http', ready: true, stream: { live: false } });
    // No refused push got as far as an ffmpeg.
    expect(await streamsStarted(server)).toBe(startedBefore);
    expect(ffmpegWriting(server.hlsDir('http'))).toEqual([]);
  });

  it('turns an HTTP push of ffmpeg -re -f mpegts into HLS that ffprobe reads, with live and ended frames', async () => {
    const port = rooms.http!;
    const { client, welcome } = await join('http');
    expect(welcome.stream).toEqual({ live: false, url: null, path: null, since: null });
    const token = await server.token('http', 'producer1', 'producer');
    const pushed = pushTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 9);

    const live = await client.next((f) => f.type === 'stream', 20_000);
    expect(live).toMatchObject({ state: 'live', live: true, url: `http://127.0.0.1:${port}/hls/index.m3u8`, path: '/hls/index.m3u8' });
    const { response, text } = await playlist('http');
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const parsed = parsePlaylist(text);
    expect(parsed.ended).toBe(false);
    expect(parsed.segments.length).toBeGreaterThan(0);
    expect(parsed.segments[0]!.programDateTime).not.toBeNull();
    expect(parsed.targetDuration).toBeLessThanOrEqual(2);

    const segmentUrl = `http://127.0.0.1:${port}/hls/${parsed.segments[0]!.uri}`;
    const segment = await fetch(segmentUrl);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect(segment.headers.get('cache-control')).toContain('max-age');
    // The first segment may start before the first audio packet; the whole stream has both.
    expect((await probe(segmentUrl)).streams.map((s) => s.codec_name)).toContain('h264');

    // Viewer count: chat clients, plus players from addresses that do not chat (127.0.0.2 here).
    const health = async () => JSON.parse((await rawRequest(port, '/health')).body.toString()).data;
    const before = await health();
    expect(before).toMatchObject({ live: true, viewers: before.clients });
    expect((await rawRequest(port, '/hls/index.m3u8', { localAddress: '127.0.0.2', headers: { 'user-agent': 'player' } })).status).toBe(200);
    expect((await health()).viewers).toBe(before.clients + 1);

    const late = await join('http');
    expect(late.welcome.stream).toMatchObject({ live: true, path: '/hls/index.m3u8' });
    await expect.poll(async () => (await server.api('GET', '/api/v1/room/http')).body.data.live, { timeout: 10_000 }).toBe(true);

    const { code } = await pushed;
    expect(code).toBe(0);
    expect(await client.next((f) => f.type === 'stream', 15_000)).toMatchObject({ state: 'ended', live: false, url: null });
    // The live window is bounded (windowSegments 3) and segments that left it are deleted.
    const final = parsePlaylist((await playlist('http')).text);
    expect(final.ended).toBe(true);
    expect(final.segments.length).toBe(3);
    expect(final.mediaSequence).toBeGreaterThan(3);
    expect((await fetch(segmentUrl)).status).toBe(404);
    const whole = await probe(`http://127.0.0.1:${port}/hls/index.m3u8`);
    expect(Number(whole.format.duration)).toBeGreaterThan(2);
    expect(whole.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    await expect.poll(async () => (await server.api('GET', '/api/v1/room/http')).body.data.live, { timeout: 10_000 }).toBe(false);
  }, 60_000);

  it('turns a WebSocket push of WebM (VP8 + Opus, as MediaRecorder sends) into H.264 HLS', async () => {
    const port = rooms.socket!;
    const producer = await IngestSocket.open(port, await server.token('socket', 'cam', 'producer'));
    expect(await producer.next((f) => f.type === 'ingest')).toMatchObject({ state: 'starting' });
    await producer.feed(await sampleMedia('webm-vp8-opus', 4));
    expect(await producer.next((f) => f.state === 'live')).toMatchObject({ type: 'ingest', state: 'live' });
    producer.close();
    expect((await producer.closed).code).toBe(1000);
    await expect.poll(async () => parsePlaylist((await playlist('socket')).text).ended, { timeout: 15_000 }).toBe(true);
    const probed = await probe(`http://127.0.0.1:${port}/hls/index.m3u8`);
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
  }, 60_000);

  it('gives a second producer 409 while the first is live, and the slot back when it stops', async () => {
    const port = rooms.busy!;
    const firstToken = await server.token('busy', 'first', 'producer');
    const first = await IngestSocket.live(port, firstToken, await sampleMedia('webm-vp8-opus', 3));
    // The live producer itself sees its stream, and that a second connection would not be taken.
    const own = await rawRequest(port, `/ingest?token=${firstToken}`);
    expect(JSON.parse(own.body.toString()).data).toMatchObject({ ready: false, stream: { live: true } });
    expect((await rawRequest(port, `/ingest?token=${firstToken}`, { method: 'POST', body: Buffer.alloc(10) })).status).toBe(409);
    const secondToken = await server.token('busy', 'second', 'producer');
    const post = await rawRequest(port, `/ingest?token=${secondToken}`, { method: 'POST', body: await sampleMedia('ts-h264-aac', 1) });
    expect(post.status).toBe(409);
    expect(JSON.parse(post.body.toString()).error.code).toBe('STREAM_BUSY');
    await expect(IngestSocket.open(port, secondToken)).rejects.toMatchObject({ status: 409 });
    expect((await rawRequest(port, `/ingest?token=${secondToken}`)).status).toBe(409);

    first.close();
    await expect.poll(async () => (await rawRequest(port, `/ingest?token=${secondToken}`)).status, { timeout: 15_000 }).toBe(200);
    const second = await IngestSocket.live(port, secondToken, await sampleMedia('webm-vp8-opus', 3));
    second.close();
    await second.closed;
  }, 60_000);

  it('refuses garbage with a clear error and leaves no ffmpeg behind', async () => {
    const port = rooms.garbage!;
    const token = await server.token('garbage', 'bad', 'producer');
    const startedBefore = await streamsStarted(server);
    const text = await rawRequest(port, `/ingest?token=${token}`, { method: 'POST', body: Buffer.from('<html>'.repeat(2000)) });
    expect(text.status).toBe(415);
    expect(JSON.parse(text.body.toString()).error).toMatchObject({ code: 'MEDIA_UNSUPPORTED' });

    const socket = await IngestSocket.open(port, token);
    socket.ws.send(Buffer.from('definitely not a video'.repeat(100)));
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'MEDIA_UNSUPPORTED' });
    expect((await socket.closed).code).toBe(4015);

    const textFrames = await IngestSocket.open(port, token);
    textFrames.ws.send('hello');
    expect((await textFrames.closed).code).toBe(1003);

    // A real MPEG-TS header followed by noise: only ffmpeg can tell, and it says so.
    const header = (await sampleMedia('ts-h264-aac', 1)).subarray(0, 188 * 4);
    const noise = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7919) % 251));
    const corrupt = await rawRequest(port, `/ingest?token=${token}`, { method: 'POST', body: Buffer.concat([header, noise]) });
    expect(corrupt.status).toBe(422);
    expect(JSON.parse(corrupt.body.toString()).error.code).toBe('MEDIA_INVALID');

    const empty = await rawRequest(port, `/ingest?token=${token}`, { method: 'POST', body: Buffer.alloc(0) });
    expect(empty.status).toBe(415);
    await expect.poll(() => ffmpegWriting(server.hlsDir('garbage')), { timeout: 10_000 }).toEqual([]);
    // Only ffmpeg could tell the noise behind a real header: one was started, and is gone.
    expect(await streamsStarted(server)).toBeGreaterThan(startedBefore);
    expect((await rawRequest(port, '/health')).status).toBe(200);
  }, 60_000);

  it('reports a crashed ffmpeg to the producer, ends the stream, and lets the producer come back', async () => {
    const port = rooms.crash!;
    const { client } = await join('crash');
    const token = await server.token('crash', 'cam', 'producer');
    const producer = await IngestSocket.live(port, token, await sampleMedia('webm-vp8-opus', 3));
    await client.next((f) => f.type === 'stream' && f.state === 'live', 10_000);
    const [pid, ...others] = ffmpegWriting(server.hlsDir('crash'));
    expect(others).toEqual([]);
    process.kill(pid!, 'SIGKILL');
    expect(await producer.next((f) => f.type === 'error')).toMatchObject({ code: 'MEDIA_INVALID' });
    expect((await producer.closed).code).toBe(4022);
    expect(await client.next((f) => f.type === 'stream' && f.state === 'ended', 10_000)).toMatchObject({ live: false });
    expect(parsePlaylist((await playlist('crash')).text).ended).toBe(true);

    const again = await IngestSocket.live(port, token, await sampleMedia('webm-vp8-opus', 3));
    await client.next((f) => f.type === 'stream' && f.state === 'live', 10_000);
    again.close();
    await again.closed;
  }, 60_000);

  it('serves an adaptive ladder behind a master playlist when the room asks for one', async () => {
    const port = (await server.createRoom('ladder', { ladder: true, segmentSeconds: 2 })).body.data.port as number;
    const producer = await IngestSocket.live(port, await server.token('ladder', 'cam', 'producer'), await sampleMedia('flv-h264-aac', 5), 30_000);
    const master = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
    expect(master.master).toBe(true);
    expect(master.variants).toEqual(['v0.m3u8', 'v1.m3u8', 'v2.m3u8']);
    producer.close();
    await producer.closed;
    const heights: number[] = [];
    for (const variant of master.variants) {
      await expect.poll(async () => parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/${variant}`)).text()).ended, { timeout: 20_000 }).toBe(true);
      const media = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/${variant}`)).text());
      const probed = await probe(`http://127.0.0.1:${port}/hls/${media.segments[0]!.uri}`);
      heights.push(probed.streams.find((s) => s.codec_type === 'video')!.height!);
    }
    // The source is 240 lines high: renditions never upscale.
    expect(heights).toEqual([240, 240, 240]);
  }, 60_000);

  it('stops ffmpeg and removes the files when a live room is deleted', async () => {
    const port = (await server.createRoom('doomed')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'watcher' });
    clients.push(client);
    const producer = await IngestSocket.live(port, await server.token('doomed', 'cam', 'producer'), await sampleMedia('webm-vp8-opus', 3));
    const running = ffmpegWriting(server.hlsDir('doomed'));
    expect(running).toHaveLength(1);
    expect((await server.api('DELETE', '/api/v1/room/doomed', { key: server.env.KEY })).status).toBe(200);
    expect(await client.next((f) => f.type === 'closed')).toBeTruthy();
    expect((await producer.closed).code).toBe(4000);
    expect(running.filter(isAlive)).toEqual([]);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${server.dataDir}/hls/doomed`)).toBe(false);
  }, 60_000);

  it('never serves a path outside the room folder', async () => {
    const port = rooms.paths!;
    const attempts = [
      '/hls/../package.json',
      '/hls/..%2f..%2fpackage.json',
      '/hls/%2e%2e/%2e%2e/etc/passwd',
      '/hls//etc/passwd',
      '/hls/%2Fetc%2Fpasswd',
      '/hls/..%5c..%5cpackage.json',
      '/hls/index.m3u8%00.ts',
      '/hls/./index.m3u8',
      '/hls/',
    ];
    for (const attempt of attempts) {
      const answer = await rawRequest(port, attempt);
      expect.soft(answer.status, attempt).toBe(404);
      expect.soft(answer.body.toString(), attempt).not.toContain('root:');
    }
    // A symlink planted in the room folder (it cannot be made through the server) is not followed.
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const dir = `${server.dataDir}/hls/paths`;
    mkdirSync(dir, { recursive: true });
    symlinkSync('/etc/passwd', `${dir}/evil.m3u8`);
    const evil = await rawRequest(port, '/hls/evil.m3u8');
    expect(evil.status).toBe(404);
    expect(evil.body.toString()).not.toContain('root:');
    expect((await rawRequest(port, '/hls/index.m3u8', { method: 'DELETE' })).status).toBe(405);
  });
});
