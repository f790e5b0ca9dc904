import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist, type Playlist } from '../../src/hls/playlist.js';
import { FFPROBE, startTestPattern, type TestPublisher } from '../helpers/media.js';
import { roomWatchers } from '../helpers/roomWatchers.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** A GET with its status, headers, body and when its answer came. */
async function get(port: number, pathAndQuery: string, localAddress?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; at: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false, ...(localAddress ? { localAddress } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), at: Date.now() }));
    });
    request.on('error', reject);
  });
}

/** The newest part a playlist lists: its segment's media sequence number and index. */
function lastPart(playlist: Playlist): { msn: number; part: number } {
  const msnAfterSegments = playlist.mediaSequence + playlist.segments.length;
  if (playlist.trailingParts.length > 0) return { msn: msnAfterSegments, part: playlist.trailingParts.length - 1 };
  const last = playlist.segments.at(-1)!;
  return { msn: msnAfterSegments - 1, part: last.parts.length - 1 };
}

/** Every part a playlist lists, with its segment's msn and index, oldest first. */
function partsOf(playlist: Playlist): { msn: number; index: number; uri: string; independent: boolean }[] {
  const listed = playlist.segments.flatMap((segment, i) => segment.parts.map((part, index) => ({ msn: playlist.mediaSequence + i, index, ...part })));
  const trailingMsn = playlist.mediaSequence + playlist.segments.length;
  return [...listed, ...playlist.trailingParts.map((part, index) => ({ msn: trailingMsn, index, ...part }))];
}

/** Real server in Low-Latency HLS mode (the default), real ffmpeg pushing, a client doing blocking reloads, ffprobe as the judge. */
describe('Low-Latency HLS: parts, blocking playlist reload, preload hints', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;
  let publisher: TestPublisher;
  const { rooms, join } = roomWatchers(afterAll);
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'llhls-'));
    server = await start({ workers: 1, roomPortCount: 4, env: { HLS_PART_SECONDS: '0.2', HLS_SEGMENT_SECONDS: '1', HLS_MAX_HELD_PER_ADDRESS: '4' } });
    port = (await server.createRoom('ll')).body.data.port;
    rooms.ll = port;
    const { client } = await join('ll');
    const token = await server.token('ll', 'producer1', 'producer');
    publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 30);
    await client.next((frame) => frame.type === 'stream' && frame.live === true, 20_000);
  });

  afterAll(async () => {
    publisher?.child.kill('SIGKILL');
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes an RFC 8216bis Low-Latency playlist: parts, preload hint, server control, fMP4 map', async () => {
    const response = await get(port, '/hls/index.m3u8');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const text = response.body.toString();
    const playlist = parsePlaylist(text);
    expect(playlist.version).toBeGreaterThanOrEqual(9);
    expect(playlist.partTarget).toBeCloseTo(0.2, 2);
    expect(playlist.serverControl.get('CAN-BLOCK-RELOAD')).toBe('YES');
    expect(Number(playlist.serverControl.get('PART-HOLD-BACK'))).toBeGreaterThanOrEqual(3 * playlist.partTarget! - 1e-9);
    expect(playlist.segments.length).toBeGreaterThan(0);
    expect(playlist.segments[0]!.map).toMatch(/^[A-Za-z0-9]+-i1\.mp4$/);
    expect(playlist.segments[0]!.programDateTime).not.toBeNull();
    expect(playlist.preloadHint).toMatch(/-p\d+\.m4s$/);
    const parts = partsOf(playlist);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.some((part) => part.independent)).toBe(true);
    expect(playlist.ended).toBe(false);
    // Parts and segments last what the playlist says: parts at most PART-TARGET.
    for (const segment of playlist.segments) for (const part of segment.parts) expect(part.duration).toBeLessThanOrEqual(playlist.partTarget! + 1e-3);
  });

  it('holds a blocking reload until the asked part exists, and hands out parts in order that ffprobe decodes', async () => {
    const first = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    const initUri = first.segments.at(-1)!.map!;
    const init = (await get(port, `/hls/${initUri}`)).body;
    expect(init.subarray(4, 8).toString()).toBe('ftyp');
    // From the first part of the segment being written (a keyframe), so every part collected decodes.
    let position = { msn: first.mediaSequence + first.segments.length, part: -1 };
    const collected: { msn: number; index: number; uri: string }[] = [];
    let waitedMs = 0;
    for (let round = 0; round < 12; round += 1) {
      // The next part: the same segment's next index (the server moves on to the next segment's part 0 if this one ended).
      const asked = { msn: position.msn, part: position.part + 1 };
      const sent = Date.now();
      const answer = await get(port, `/hls/index.m3u8?_HLS_msn=${asked.msn}&_HLS_part=${asked.part}`);
      waitedMs += answer.at - sent;
      expect(answer.status).toBe(200);
      const playlist = parsePlaylist(answer.body.toString());
      const parts = partsOf(playlist);
      const newer = parts.filter((part) => part.msn > position.msn || (part.msn === position.msn && part.index > position.part));
      expect(newer.length).toBeGreaterThan(0);
      collected.push(...newer);
      position = lastPart(playlist);
    }
    // Held, not answered at once: 12 new parts of 0.2 s took about 2.4 s of waiting.
    expect(waitedMs).toBeGreaterThan(1_500);
    const keys = collected.map((part) => part.msn * 1000 + part.index);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(collected.map((part) => part.msn)).size).toBeGreaterThan(1);
    const bodies = await Promise.all(collected.map(async (part) => (await get(port, `/hls/${part.uri}`)).body));
    const file = path.join(scratch, 'parts.mp4');
    await writeFile(file, Buffer.concat([init, ...bodies]));
    const frames = await countFrames(file);
    // 12+ parts of 0.2 s at 25 fps: about 60 frames, all decodable after the first keyframe.
    expect(frames).toBeGreaterThanOrEqual(50);
  });

  it('holds a request for the hinted part until ffmpeg delivers it', async () => {
    // On a loaded machine the hinted part may already be written by the time the request arrives (it is then
    // simply served): a few tries, each right after a blocking reload returns a fresh hint. A server that
    // does not hold would answer 404 for a part not yet written, and fails at once.
    const waited: number[] = [];
    let playlist = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const next = lastPart(playlist);
      playlist = parsePlaylist((await get(port, `/hls/index.m3u8?_HLS_msn=${next.msn}&_HLS_part=${next.part + 1}`)).body.toString());
      const sent = Date.now();
      const part = await get(port, `/hls/${playlist.preloadHint!}`);
      expect(part.status).toBe(200);
      expect(part.headers['content-type']).toBe('video/mp4');
      expect(part.body.subarray(4, 8).toString()).toBe('moof');
      waited.push(part.at - sent);
      if (part.at - sent > 20) break;
      playlist = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    }
    expect(waited.at(-1), `waits in ms: ${waited.join(', ')}`).toBeGreaterThan(20);
  });

  it('answers impossible requests at once: a far-future msn or part 400, an unknown part 404, bad parameters 400', async () => {
    const playlist = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    const next = playlist.mediaSequence + playlist.segments.length;
    expect((await get(port, `/hls/index.m3u8?_HLS_msn=${next + 50}`)).status).toBe(400);
    expect((await get(port, `/hls/index.m3u8?_HLS_msn=${next}&_HLS_part=40`)).status).toBe(400);
    expect((await get(port, '/hls/index.m3u8?_HLS_part=1')).status).toBe(400);
    expect((await get(port, '/hls/index.m3u8?_HLS_msn=-1')).status).toBe(400);
    expect((await get(port, '/hls/index.m3u8?_HLS_skip=MAYBE')).status).toBe(400);
    const unknown = await get(port, '/hls/zzz-p999999.m4s');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString()).error.code).toBe('NOT_FOUND');
    expect((await get(port, '/hls/../index.m3u8')).status).toBe(404);
  });

  it('bounds held requests per address (429)', async () => {
    const playlist = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    const blocking = `/hls/index.m3u8?_HLS_msn=${playlist.mediaSequence + playlist.segments.length + 1}`;
    const address = '127.0.0.9';
    const requests: http.ClientRequest[] = [];
    const answers = Array.from({ length: 4 }, () => {
      const request = http.get({ host: '127.0.0.1', port, path: blocking, agent: false, localAddress: address });
      requests.push(request);
      return new Promise<number>((resolve) => {
        request.on('response', (response) => resolve(response.statusCode ?? 0));
        request.on('error', () => resolve(-1));
      });
    });
    await Promise.all(requests.map((request) => new Promise((resolve) => request.once('socket', (socket) => socket.once('connect', resolve)))));
    const refused = await get(port, blocking, address);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body.toString()).error.code).toBe('RATE_LIMITED');
    const metrics = (await server.api('GET', '/metrics', { admin: true, headers: { authorization: `Bearer ${server.env.ADMIN_KEY}` } })).body as string;
    expect(metrics).toMatch(/^chatserver_hls_holds_refused_total [1-9]/m);
    // Another address is not affected; the four held requests are answered once the segment exists.
    expect((await get(port, blocking, '127.0.0.10')).status).toBe(200);
    expect(await Promise.all(answers)).toEqual([200, 200, 200, 200]);
  });

  it('ends with ENDLIST, no preload hint, and answers held requests when the producer stops', async () => {
    const playlist = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    const next = playlist.mediaSequence + playlist.segments.length + 1;
    const held = get(port, `/hls/index.m3u8?_HLS_msn=${next}`);
    publisher.child.kill('SIGINT');
    const answer = await held;
    expect(answer.status).toBe(200);
    await expect.poll(async () => parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString()).ended, { timeout: 10_000 }).toBe(true);
    const ended = parsePlaylist((await get(port, '/hls/index.m3u8')).body.toString());
    expect(ended.preloadHint).toBeNull();
    expect(ended.trailingParts).toEqual([]);
  });
});

/** Frames ffprobe decodes in a file (it fails on a broken stream). */
async function countFrames(file: string): Promise<number> {
  const child = spawn(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ffprobe failed: ${err}`);
  return Number(out.trim());
}
