import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { startTestPattern } from '../helpers/media.js';
import { watchRoom } from '../helpers/restartWatch.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const RESUME_SECONDS = 5;

/**
 * Classic HLS (MPEG-TS files written by ffmpeg) through a rolling restart: the suspended stream's
 * playlist and segments are files, so the new worker keeps them listed and served while it holds
 * the stream; a producer that comes back appends after a discontinuity, one that does not gets
 * ENDLIST after the resume wait.
 */
describe('classic HLS through a rolling restart (real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port = 0;

  beforeAll(async () => {
    server = await start({ workers: 1, env: { HLS_MODE: 'classic', STREAM_RESUME_SECONDS: String(RESUME_SECONDS) } });
    port = (await server.createRoom('tv')).body.data.port as number;
  });

  const playlist = async () => parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
  const live = async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } }).data.live;

  it('keeps the old segments served while held, appends after a discontinuity, and ends with ENDLIST when the producer stays away', async () => {
    const token = await server.token('tv', 'cam', 'producer');
    const url = `rtmp://127.0.0.1:${port}/live/${token}`;
    let publisher = await startTestPattern(url, 120, 'flv');
    try {
      await expect.poll(live, { timeout: 20_000 }).toBe(true);
      await expect.poll(async () => (await playlist().catch(() => null))?.segments.length ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      const before = await playlist();
      const watch = watchRoom(port);
      expect((await server.admin('POST', '/api/v1/server/restart')).status).toBe(200);
      await publisher.done;

      // Held in the new worker: the old playlist, open, and its segments still served.
      const held = await playlist();
      expect(held.ended).toBe(false);
      expect(held.mediaSequence).toBe(before.mediaSequence);
      const oldSegment = await fetch(`http://127.0.0.1:${port}/hls/${before.segments.at(-1)!.uri}`);
      expect(oldSegment.status).toBe(200);
      expect((await oldSegment.arrayBuffer()).byteLength).toBeGreaterThan(1000);

      // The producer comes back: its segments follow a discontinuity in the same playlist.
      publisher = await startTestPattern(url, 120, 'flv');
      const reached = before.mediaSequence + before.segments.length;
      await expect.poll(async () => (await playlist()).segments.some((segment) => segment.discontinuity), { timeout: 20_000 }).toBe(true);
      const after = await playlist();
      expect(after.mediaSequence + after.segments.length).toBeGreaterThan(reached);
      const seen = await watch.stop();
      expect(seen).toMatchObject({ endedPlaylists: 0, offlineAnswers: 0 });

      // A second restart, and this time the producer does not come back: ENDLIST once the wait is over.
      expect((await server.admin('POST', '/api/v1/server/restart')).status).toBe(200);
      await publisher.done;
      expect(await live()).toBe(true);
      expect((await playlist()).ended).toBe(false);
      await expect.poll(live, { timeout: (RESUME_SECONDS + 10) * 1000 }).toBe(false);
      const ended = await playlist();
      expect(ended.ended).toBe(true);
      expect(ended.segments.some((segment) => segment.discontinuity)).toBe(true);
    } finally {
      publisher.child.kill('SIGKILL');
    }
  }, 120_000);
});
