import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { makeMedia, pushTestPattern } from '../helpers/media.js';
import { ffmpegWriting } from '../helpers/processes.js';
import { rawRequest } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** The 2018 static ffmpeg of the optional npm package (it writes segments in place), when installed. */
function oldNpmFfmpeg(): string | null {
  try {
    const exported = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return exported.path && existsSync(exported.path) ? exported.path : null;
  } catch {
    return null;
  }
}

/** The segment after the newest one the playlist lists: predictable, and being written now. */
function nextSegment(text: string): string {
  const newest = parsePlaylist(text).segments.at(-1)!.uri;
  const match = /^(.*-)(\d{5})\.ts$/.exec(newest)!;
  return `${match[1]}${String(Number(match[2]) + 1).padStart(5, '0')}.ts`;
}

/**
 * A push whose segments last 4 s, so the next segment is being written for seconds while the
 * test asks for it. Resolves once the room is live.
 */
async function livePush(server: ServerProcess, room: string): Promise<{ port: number; pushed: Promise<{ code: number | null }> }> {
  const port = (await server.createRoom(room, { segmentSeconds: 4 })).body.data.port as number;
  const token = await server.token(room, 'cam', 'producer');
  const pushed = pushTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 14);
  await expect.poll(async () => (await server.api('GET', `/api/v1/room/${room}`)).body.data.live, { timeout: 30_000, interval: 100 }).toBe(true);
  return { port, pushed };
}

/** Asks for the segment ffmpeg is writing, now and again after the next segment is listed: never served. */
async function expectUnlistedRefused(port: number): Promise<void> {
  const newest = async () => parsePlaylist((await rawRequest(port, '/hls/index.m3u8')).body.toString()).segments.at(-1)!.uri;
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = await newest();
    const next = nextSegment((await rawRequest(port, '/hls/index.m3u8')).body.toString());
    const answer = await rawRequest(port, `/hls/${next}`);
    // Unless ffmpeg listed it in the meantime (it then is complete), it must be a 404.
    if ((await newest()) === before) {
      expect(answer.status, next).toBe(404);
      expect(answer.headers['cache-control'] ?? '').not.toContain('immutable');
    }
    await expect.poll(newest, { timeout: 10_000 }).not.toBe(before);
  }
}

describe('broadcast hardening (classic HLS): ffmpeg environment, unfinished segments, ranges from disk', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 6, env: { HLS_MODE: 'classic' } });
  });

  it('runs ffmpeg without the server secrets in its environment', async () => {
    const { port, pushed } = await livePush(server, 'env');
    const [ffmpeg, ...others] = ffmpegWriting(server.hlsDir('env'));
    expect(others).toEqual([]);
    const environ = readFileSync(`/proc/${ffmpeg}/environ`, 'utf8').split('\0');
    expect(environ.join('\n')).not.toContain(server.env.KEY!);
    expect(environ.join('\n')).not.toContain(server.env.ADMIN_KEY!);
    expect(environ.filter((entry) => entry.startsWith('KEY=') || entry.startsWith('ADMIN_KEY='))).toEqual([]);
    await expectUnlistedRefused(port);
    expect((await pushed).code).toBe(0);
  }, 60_000);

  it('logs the ffmpeg it chose with its version', async () => {
    // The line is the behaviour: it tells the operator which ffmpeg runs (README, docs/security.md).
    const found = await server.waitForLog((line) => line.msg === 'ffmpeg found');
    expect(found).toMatchObject({ source: 'PATH', version: expect.stringMatching(/^\d+\./) });
  });

  it('answers a Range request on a classic segment with 206 and exactly those bytes, from memory and from disk', async () => {
    const port = (await server.createRoom('range', { segmentSeconds: 2 })).body.data.port as number;
    // Lossless H.264 of noise, copied into 2 s segments: several MiB each, over the worker cache's entry bound.
    const media = await makeMedia(['-f', 'lavfi', '-i', 'nullsrc=size=320x240:rate=25,geq=lum=random(1)*255:cb=128:cr=128', '-t', '6'], ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '50', '-pix_fmt', 'yuv420p', '-f', 'mpegts']);
    const token = await server.token('range', 'cam', 'producer');
    expect((await rawRequest(port, `/ingest?token=${token}`, { method: 'POST', body: media })).status).toBe(200);
    const listed = parsePlaylist((await rawRequest(port, '/hls/index.m3u8')).body.toString());
    const sizes: number[] = [];
    for (const { uri } of listed.segments.slice(0, 2)) {
      const onDisk = readFileSync(`${server.dataDir}/hls/range/${uri}`);
      sizes.push(onDisk.length);
      const whole = await rawRequest(port, `/hls/${uri}`);
      expect(whole.status).toBe(200);
      expect(whole.body.equals(onDisk)).toBe(true);
      const part = await rawRequest(port, `/hls/${uri}`, { headers: { range: 'bytes=1000-1999' } });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 1000-1999/${onDisk.length}`);
      expect(part.body.equals(onDisk.subarray(1000, 2000))).toBe(true);
      const past = await rawRequest(port, `/hls/${uri}`, { headers: { range: `bytes=${onDisk.length}-` } });
      expect(past.status).toBe(416);
    }
    expect(Math.max(...sizes)).toBeGreaterThan(2 * 1024 * 1024);
  }, 60_000);
});

describe.skipIf(oldNpmFfmpeg() === null)('with an ffmpeg that writes segments in place (FFMPEG_PATH to the 2018 build)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 4, env: { FFMPEG_PATH: oldNpmFfmpeg()!, HLS_MODE: 'classic' } });
  });

  it('serves only listed segments: the next one, on disk and growing, is 404', async () => {
    const { port, pushed } = await livePush(server, 'partial');
    // This ffmpeg really has the unfinished file in the folder under its final name.
    const next = nextSegment((await rawRequest(port, '/hls/index.m3u8')).body.toString());
    await expect.poll(() => existsSync(`${server.dataDir}/hls/partial/${next}`), { timeout: 5_000 }).toBe(true);
    await expectUnlistedRefused(port);
    expect((await pushed).code).toBe(0);
    // The stream is over once ffmpeg has exited: the room is no longer live.
    await expect.poll(async () => (await server.api('GET', '/api/v1/room/partial')).body.data.live, { timeout: 15_000, interval: 100 }).toBe(false);
    // After the stream every segment of the final playlist is served, with a cache-forever header.
    const final = parsePlaylist((await rawRequest(port, '/hls/index.m3u8')).body.toString());
    expect(final.ended).toBe(true);
    const last = await rawRequest(port, `/hls/${final.segments.at(-1)!.uri}`);
    expect(last.status).toBe(200);
    expect(last.headers['cache-control']).toContain('immutable');
    // The warning is the behaviour: only the log tells the operator this ffmpeg is too old.
    const warned = await server.waitForLog((line) => line.msg?.startsWith('ffmpeg found, but it is older') === true);
    expect(warned).toMatchObject({ source: 'FFMPEG_PATH' });
  }, 60_000);
});
