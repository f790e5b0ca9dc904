import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** OBS's first retry after a dropped connection comes after its Retry Delay; this publisher's after this. */
const RETRY_DELAY_MS = 500;

/**
 * An RTMP publisher that reconnects as OBS does (a new connection after a dropped one) through a
 * rolling restart: the room's worker is replaced, the publisher's connection closes, it publishes
 * again to the same room port, the stream is live again, and its Low-Latency HLS media sequence
 * goes on from the old worker's.
 */
describe('an RTMP publisher through a rolling restart (real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port = 0;

  beforeAll(async () => {
    server = await start({ workers: 1 });
    port = (await server.createRoom('obs')).body.data.port as number;
  });

  /** Publishes `rtmp://…/live/<token>` and, like OBS with Automatically Reconnect, again each time the connection ends, until stopped. */
  const reconnectingPublisher = (url: string) => {
    let stopped = false;
    let current: TestPublisher | null = null;
    const connections: number[] = [];
    const run = async (): Promise<void> => {
      while (!stopped) {
        current = await startTestPattern(url, 120, 'flv');
        connections.push(Date.now());
        await current.done;
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    };
    const running = run();
    return {
      connections,
      stop: async () => {
        stopped = true;
        current?.child.kill('SIGKILL');
        await running;
      },
    };
  };
  const nextMsn = async () => {
    const playlist = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
    return playlist.mediaSequence + playlist.segments.length;
  };
  const live = async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } }).data.live;

  it('comes back live after the restart, numbering on', async () => {
    const token = await server.token('obs', 'encoder', 'producer');
    const publisher = reconnectingPublisher(`rtmp://127.0.0.1:${port}/live/${token}`);
    try {
      await expect.poll(live, { timeout: 20_000 }).toBe(true);
      await expect.poll(nextMsn, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      const reached = await nextMsn();
      const since = server.logs.length;
      const restart = await server.admin('POST', '/api/v1/server/restart');
      expect(restart.status).toBe(200);
      expect(restart.body.data.notBack).toEqual([]);
      // The publisher's connection was closed by the old worker; its next one went live in the new worker.
      await server.waitForLog((line) => line.msg === 'stream starting', 20_000, since);
      await expect.poll(live, { timeout: 20_000 }).toBe(true);
      expect(publisher.connections.length).toBeGreaterThanOrEqual(2);
      const playlist = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
      expect(playlist.segments.length).toBeGreaterThan(0);
      expect(playlist.mediaSequence).toBeGreaterThanOrEqual(reached);
    } finally {
      await publisher.stop();
    }
  }, 90_000);
});
