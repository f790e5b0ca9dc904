import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { watchRoom } from '../helpers/restartWatch.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';

/** OBS's first retry after a dropped connection comes after its Retry Delay; this publisher's after this. */
const RETRY_DELAY_MS = 500;
/** STREAM_RESUME_SECONDS here: how long the new worker holds a suspended stream for its producer. */
const RESUME_SECONDS = 5;

/**
 * An RTMP publisher that reconnects as OBS does (a new connection after a dropped one) through a
 * rolling restart: the room's worker is replaced, the publisher's connection closes, it publishes
 * again to the same room port. The stream is suspended, not ended: no ENDLIST and never "not
 * live" for a viewer, the new worker's playlist numbers on after a discontinuity, one
 * stream.started / stream.ended pair for the broadcast. A producer that never comes back ends
 * the stream after the resume wait.
 */
describe('an RTMP publisher through a rolling restart (real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let receiver: WebhookReceiver;
  let port = 0;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    server = await start({ workers: 1, env: { WEBHOOK_ALLOW_PRIVATE: '1', STREAM_RESUME_SECONDS: String(RESUME_SECONDS) } });
    expect((await server.admin('POST', '/api/v1/webhooks', { url: receiver.url, events: ['stream.started', 'stream.ended'] })).status).toBe(201);
    port = (await server.createRoom('obs')).body.data.port as number;
  });
  afterAll(async () => receiver?.close());

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
  const playlist = async () => parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
  const nextMsn = async () => {
    const { mediaSequence, segments } = await playlist();
    return mediaSequence + segments.length;
  };
  const live = async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } }).data.live;
  const events = (type: string) => receiver.received.filter((r) => r.json?.type === type && r.json.data.room === 'obs');

  it('comes back live after the restart: never ended for viewers, numbering on after a discontinuity, one broadcast', async () => {
    const token = await server.token('obs', 'encoder', 'producer');
    const publisher = reconnectingPublisher(`rtmp://127.0.0.1:${port}/live/${token}`);
    try {
      await expect.poll(live, { timeout: 20_000 }).toBe(true);
      await expect.poll(nextMsn, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      const before = await playlist();
      const reached = before.mediaSequence + before.segments.length;
      const lastDiscontinuity = before.segments.at(-1)!.discontinuitySequence;
      const watch = watchRoom(port);
      const restart = await server.admin('POST', '/api/v1/server/restart');
      expect(restart.status).toBe(200);
      expect(restart.body.data.notBack).toEqual([]);
      // The publisher's connection was closed by the old worker; its next one resumes the suspended
      // stream in the new worker: wait until the new worker's first segment (msn `reached`) is listed.
      await expect.poll(() => nextMsn().catch(() => -1), { timeout: 20_000 }).toBeGreaterThan(reached);
      const seen = await watch.stop();
      expect(seen.reads).toBeGreaterThan(0);
      expect(seen.endedPlaylists).toBe(0);
      expect(seen.offlineAnswers).toBe(0);
      // While the new worker waits for the producer, playlist requests wait too (no 404 to give up on).
      expect(seen.missingPlaylists).toBe(0);
      expect(publisher.connections.length).toBeGreaterThanOrEqual(2);

      const after = await playlist();
      expect(after.ended).toBe(false);
      expect(after.mediaSequence).toBeGreaterThanOrEqual(reached);
      // The new worker's first segment follows an EXT-X-DISCONTINUITY, numbered on from the old worker's last segment.
      const first = after.segments[reached - after.mediaSequence];
      if (first) expect(first.discontinuity).toBe(true);
      expect(after.segments.at(-1)!.discontinuitySequence).toBe(lastDiscontinuity + 1);
    } finally {
      await publisher.stop();
    }
    // One broadcast across the restart: one stream.started, and one stream.ended once the publisher is gone for good.
    const ended = await receiver.event('stream.ended', (d) => d.room === 'obs', (RESUME_SECONDS + 15) * 1000);
    expect(events('stream.started')).toHaveLength(1);
    expect(events('stream.ended')).toHaveLength(1);
    expect(ended.json.data.startedAt).toBe(events('stream.started')[0]!.json.data.startedAt);
    // One recording across the restart: the new worker's segments after a discontinuity in the old worker's recording.
    const recordings = async () => ((await server.api('GET', '/api/v1/room/obs/recordings')).body as { data: { id: string; endedAt: number | null; url: string }[] }).data;
    await expect.poll(async () => (await recordings()).every((recording) => recording.endedAt !== null), { timeout: 10_000 }).toBe(true);
    const [recording, ...others] = await recordings();
    expect(others).toEqual([]);
    expect(ended.json.data.recording).toBe(recording!.url);
    const text = await (await fetch(`http://127.0.0.1:${port}/recordings/${recording!.id}/index.m3u8`)).text();
    expect(text).toContain('#EXT-X-DISCONTINUITY');
    expect(text).toContain('#EXT-X-ENDLIST');
  }, 120_000);

  it('ends the stream after the resume wait when the producer does not come back', async () => {
    await expect.poll(live, { timeout: 15_000 }).toBe(false);
    const startedBefore = events('stream.started').length;
    const token = await server.token('obs', 'once', 'producer');
    // An encoder without automatic reconnect: the restart closes its only connection.
    const publisher = await startTestPattern(`rtmp://127.0.0.1:${port}/live/${token}`, 120, 'flv');
    try {
      await expect.poll(live, { timeout: 20_000 }).toBe(true);
      await expect.poll(nextMsn, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      const started = await receiver.event('stream.started', () => events('stream.started').length > startedBefore);
      const since = server.logs.length;
      // Answered once the new worker listens on the room's port.
      expect((await server.admin('POST', '/api/v1/server/restart')).status).toBe(200);
      // Held for the producer in the new worker: live for a joiner, and no end yet.
      const { client, welcome } = await ChatTestClient.join(port, { name: 'viewer' });
      try {
        expect(welcome.stream.live).toBe(true);
        const heldAt = Date.now();
        const endFrame = await client.next((f) => f.type === 'stream', (RESUME_SECONDS + 10) * 1000);
        expect(endFrame.state).toBe('ended');
        expect(Date.now() - heldAt).toBeGreaterThan((RESUME_SECONDS - 2) * 1000);
      } finally {
        client.ws.close();
      }
      expect(await live()).toBe(false);
      await server.waitForLog((line) => line.msg === 'producer did not come back: stream ends', 5_000, since);
      const ended = await receiver.event('stream.ended', (d) => d.startedAt === started.json.data.startedAt, 10_000);
      expect(ended.json.data.duration).toBeGreaterThan(RESUME_SECONDS - 1);
      // The broadcast's one recording, as the old worker left it.
      expect(ended.json.data.recording).toMatch(new RegExp(`^http://[^/]+:${port}/recordings/[^/]+/index\\.m3u8$`));
      expect(events('stream.started').length).toBe(startedBefore + 1);
    } finally {
      publisher.child.kill('SIGKILL');
    }
  }, 90_000);
});
