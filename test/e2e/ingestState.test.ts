import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { startTestPattern } from '../helpers/media.js';
import { RtmpTestClient } from '../helpers/rtmpClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0;
const skipReason = haveFfmpeg ? '' : ` (skipped: ${FFMPEG} is missing)`;

/** Real server: the ingest state producers see (keyframe warnings), and RTMP publishers that send nothing are cut. */
describe.skipIf(!haveFfmpeg)(`ingest state and RTMP bounds${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const rooms: Record<string, number> = {};
  const clients: ChatTestClient[] = [];

  const rtmp = (room: string, key: string) => `rtmp://127.0.0.1:${rooms[room]}/live/${key}`;
  const ingestInfo = async (room: string, token: string) => (await (await fetch(`http://127.0.0.1:${rooms[room]}/ingest?token=${token}`)).json()) as Frame;
  const isStream = (live: boolean) => (f: Frame) => f.type === 'stream' && f.live === live;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 3, env: { INGEST_MEDIA_TIMEOUT_SECONDS: '2', STREAM_RESUME_SECONDS: '0' } });
    for (const name of ['keyframes', 'silent']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });
  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('cuts an RTMP publisher that publishes and then sends no media, with an error status, and frees the slot', async () => {
    const token = await server.token('silent', 'obs', 'producer');
    const client = await RtmpTestClient.publish(rooms.silent!, token);
    const publishedAt = Date.now();
    await client.closed;
    expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(1_500);
    const statuses = client.statuses();
    expect(statuses[0]).toMatchObject({ level: 'status', code: 'NetStream.Publish.Start' });
    expect(statuses.at(-1)).toMatchObject({ level: 'error', code: 'NetStream.Failed', description: 'REQUEST_TIMEOUT: The publisher sent no media for 2 s' });
    await expect.poll(async () => (await ingestInfo('silent', token)).data.ready, { timeout: 5_000 }).toBe(true);
  });

  it('warns a producer whose keyframes are 3 segments apart: room info ingest names the interval and the setting', async () => {
    const { client: chat } = await ChatTestClient.join(rooms.keyframes!, { name: 'viewer' });
    clients.push(chat);
    // 75 frames at 25 fps: a keyframe every 3 s, for 1 s segments.
    const publisher = await startTestPattern(rtmp('keyframes', await server.token('keyframes', 'obs', 'producer')), 30, 'flv', 75);
    await chat.next(isStream(true), 20_000);
    const ingestOf = async () => (await server.api('GET', '/api/v1/room/keyframes')).body.data.ingest;
    await expect.poll(async () => (await ingestOf())?.warnings?.length, { timeout: 15_000, interval: 250 }).toBe(1);
    const ingest = await ingestOf();
    expect(ingest).toMatchObject({ protocol: 'rtmp', video: 'h264', audio: 'aac', keyframeIntervalSeconds: 3, held: false });
    expect(ingest.bitrateKbps).toBeGreaterThan(0);
    expect(ingest.warnings[0].code).toBe('KEYFRAME_INTERVAL_LONG');
    expect(ingest.warnings[0].message).toMatch(/every 3 s.*Keyframe Interval.*-g/);
    publisher.child.kill('SIGKILL');
    await chat.next(isStream(false), 10_000);
  });

  it('cuts an RTMP publisher below INGEST_MIN_KBPS with the measured rate, as an HTTP push is cut', async () => {
    // A second server whose floor (5000 kbps over 1 s windows) a 320x240 test pattern cannot reach.
    const strict = await start({ workers: 1, roomPortCount: 1, env: { INGEST_MIN_KBPS: '5000', ROOM_REQUEST_TIMEOUT_MS: '1000' } });
    const port = (await strict.createRoom('slow')).body.data.port as number;
    const publisher = await startTestPattern(`rtmp://127.0.0.1:${port}/live/${await strict.token('slow', 'obs', 'producer')}`, 20, 'flv');
    const { code, stderr } = await publisher.done;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/REQUEST_TIMEOUT: The stream arrived at [\d.]+ kbps over 1 s, below this server's minimum of 5000 kbps/);
  });
});
