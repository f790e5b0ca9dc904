import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { probe, pushTestPattern } from '../helpers/media.js';
import { segmentFile } from '../helpers/hlsSegments.js';
import { rawRequest } from '../helpers/producer.js';
import { roomWatchers, streamsStarted } from '../helpers/roomWatchers.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0;
const skipReason = haveFfmpeg ? '' : ` (skipped: ${FFMPEG} is missing)`;

/** Real server; ffmpeg publishes over RTMP to the room's own port, as OBS would. */
describe.skipIf(!haveFfmpeg)(`RTMP ingest on the room port${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const { rooms, join } = roomWatchers(afterAll);

  const rtmp = (room: string, key: string, app = 'live') => `rtmp://127.0.0.1:${rooms[room]}/${app}/${key}`;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 4 });
    for (const name of ['rtmp', 'refused']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });

  it('turns an ffmpeg RTMP publish into HLS (h264 + aac) with live and ended frames in chat', async () => {
    const port = rooms.rtmp!;
    const { client, welcome } = await join('rtmp');
    expect(welcome.stream.live).toBe(false);
    const token = await server.token('rtmp', 'obs1', 'producer');
    const pushed = pushTestPattern(rtmp('rtmp', token), 8, 'flv');

    const live = await client.next((f) => f.type === 'stream', 20_000);
    expect(live).toMatchObject({ state: 'live', live: true, path: '/hls/index.m3u8' });
    const response = await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`);
    expect(response.status).toBe(200);
    const parsed = parsePlaylist(await response.text());
    expect(parsed.segments.length).toBeGreaterThan(0);
    const segment = await probe(await segmentFile(`http://127.0.0.1:${port}/hls/`, parsed.segments[0]!));
    expect(segment.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    // HTTP on the same port while RTMP streams.
    const health = JSON.parse((await rawRequest(port, '/health')).body.toString()).data;
    expect(health).toMatchObject({ live: true });

    const { code, stderr } = await pushed;
    expect(code, stderr).toBe(0);
    expect(await client.next((f) => f.type === 'stream', 15_000)).toMatchObject({ state: 'ended', live: false });
    const whole = await probe(`http://127.0.0.1:${port}/hls/index.m3u8`);
    expect(whole.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(server.logs.some((l) => l.msg === 'ingest failed')).toBe(false);
  });

  it('refuses a viewer token, junk, another room\'s producer token and another app: ffmpeg exits non-zero, no stream starts', async () => {
    const startedBefore = await streamsStarted(server);
    const { client } = await join('refused');
    const keys: Array<[string, string]> = [
      [await server.token('refused', 'v1', 'viewer'), 'live'],
      ['junk', 'live'],
      [await server.token('rtmp', 'p1', 'producer'), 'live'],
      [await server.token('refused', 'p1', 'producer'), 'other'],
    ];
    for (const [key, app] of keys) {
      const { code } = await pushTestPattern(rtmp('refused', key, app), 2, 'flv');
      expect(code).not.toBe(0);
    }
    expect(await streamsStarted(server)).toBe(startedBefore);
    expect(client.frames.some((f) => f.type === 'stream')).toBe(false);
  });

  it('refuses a second publisher while the room is live (the producer slot is busy)', async () => {
    const { client } = await join('refused');
    const first = pushTestPattern(rtmp('refused', await server.token('refused', 'p1', 'producer')), 6, 'flv');
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    const second = await pushTestPattern(rtmp('refused', await server.token('refused', 'p2', 'producer')), 2, 'flv');
    expect(second.code).not.toBe(0);
    expect((await first).code).toBe(0);
    await client.next((f) => f.type === 'stream' && f.live === false, 15_000);
  });
});
