import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestPattern } from '../helpers/media.js';
import { firstSegmentCodecs } from '../helpers/hlsSegments.js';
import { roomWatchers, streamsStarted } from '../helpers/roomWatchers.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0;
const skipReason = haveFfmpeg ? '' : ` (skipped: ${FFMPEG} is missing)`;

/**
 * Real server with RTMP_PORT=0 (the ready line names the port bound): ffmpeg publishes to the
 * shared port as OBS does with `rtmp://HOST/live` + key; the primary hands the connection to
 * the room's worker, which takes the media.
 */
describe.skipIf(!haveFfmpeg)(`RTMP ingest on the shared RTMP_PORT${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const { rooms, join } = roomWatchers(afterAll);

  const shared = (key: string, app = 'live') => `rtmp://127.0.0.1:${server.rtmpPort}/${app}/${key}`;

  beforeAll(async () => {
    // Two workers: the rooms land in different ones, so the primary must route by the key.
    server = await start({ workers: 2, roomPortCount: 4, env: { RTMP_PORT: '0' } });
    for (const name of ['first', 'second']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });

  it('hands an ffmpeg publish to the room\'s worker: HLS (h264 + aac) plays, chat sees live then ended', async () => {
    expect(server.rtmpPort).toBeGreaterThan(0);
    const { client } = await join('second');
    // The room info says where to publish: the shared port's URL is the one OBS gets.
    const { publish } = (await server.api('GET', '/api/v1/room/second')).body.data;
    expect(publish).toMatchObject({
      rtmp: `rtmp://127.0.0.1:${rooms.second}/live`,
      rtmpShared: `rtmp://127.0.0.1:${server.rtmpPort}/live`,
      whip: `http://127.0.0.1:${rooms.second}/whip`,
      http: `http://127.0.0.1:${rooms.second}/ingest`,
    });
    const pushed = pushTestPattern(`${publish.rtmpShared}/${await server.token('second', 'obs1', 'producer')}`, 6, 'flv');

    expect(await client.next((f) => f.type === 'stream', 20_000)).toMatchObject({ state: 'live', live: true, path: '/hls/index.m3u8' });
    const port = rooms.second!;
    const first = await firstSegmentCodecs(port);
    expect(first.playlist.segments.length).toBeGreaterThan(0);
    expect(first.codecs).toEqual(['aac', 'h264']);

    const { code, stderr } = await pushed;
    expect(code, stderr).toBe(0);
    expect(await client.next((f) => f.type === 'stream', 15_000)).toMatchObject({ state: 'ended', live: false });
    expect(server.logs.some((l) => l.msg === 'ingest failed' || l.msg === 'rtmp publisher not handed over (its worker went away); disconnected')).toBe(false);
  });

  it('refuses, in RTMP terms, junk, a viewer token, an unknown app, a deleted room and a draining server', async () => {
    const startedBefore = await streamsStarted(server);
    const { client } = await join('first');
    await server.createRoom('gone');
    const goneKey = await server.token('gone', 'p1', 'producer');
    expect((await server.api('DELETE', '/api/v1/room/gone', { key: server.env.KEY })).status).toBe(200);
    const cases: Array<[string, string]> = [
      [shared('junk'), 'TOKEN_INVALID'],
      [shared(await server.token('first', 'v1', 'viewer')), 'FORBIDDEN'],
      [shared(await server.token('first', 'p1', 'producer'), 'other'), 'Unknown RTMP application'],
      [shared(goneKey), 'ROOM_NOT_FOUND'],
    ];
    for (const [url, reason] of cases) {
      const { code, stderr } = await pushTestPattern(url, 2, 'flv');
      expect(code).not.toBe(0);
      expect(stderr).toContain(reason);
    }
    expect((await server.admin('POST', '/api/v1/server/accepting', { accepting: false })).status).toBe(200);
    const draining = await pushTestPattern(shared(await server.token('first', 'p1', 'producer')), 2, 'flv');
    expect((await server.admin('POST', '/api/v1/server/accepting', { accepting: true })).status).toBe(200);
    expect(draining.code).not.toBe(0);
    expect(draining.stderr).toContain('NOT_ACCEPTING');
    expect(await streamsStarted(server)).toBe(startedBefore);
    expect(client.frames.some((f) => f.type === 'stream')).toBe(false);
  });

  it('refuses a second publisher while the room is live (its worker answers)', async () => {
    const { client } = await join('first');
    const first = pushTestPattern(shared(await server.token('first', 'p1', 'producer')), 5, 'flv');
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    const second = await pushTestPattern(shared(await server.token('first', 'p2', 'producer')), 2, 'flv');
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('STREAM_BUSY');
    expect((await first).code).toBe(0);
    await client.next((f) => f.type === 'stream' && f.live === false, 15_000);
  });

  it('shuts down promptly while a handed-over publisher is live (the port does not wait for it)', async () => {
    const { client } = await join('first');
    const publishing = pushTestPattern(shared(await server.token('first', 'p1', 'producer')), 20, 'flv');
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    const began = Date.now();
    expect((await server.stop()).code).toBe(0);
    expect(Date.now() - began).toBeLessThan(8_000);
    expect((await publishing).code).not.toBe(0);
  });
});
