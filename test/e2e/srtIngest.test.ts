import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { pushTestPattern, startTestPattern } from '../helpers/media.js';
import { firstSegmentCodecs } from '../helpers/hlsSegments.js';
import { roomWatchers } from '../helpers/roomWatchers.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const protocols = spawnSync(FFMPEG, ['-hide_banner', '-protocols'], { encoding: 'utf8' });
const haveSrt = protocols.status === 0 && /^\s+srt$/m.test(protocols.stdout.split('Output:')[0] ?? '');
const skipReason = haveSrt ? '' : ` (skipped: ${FFMPEG} is missing or has no srt protocol)`;

/** An ffmpeg built without libsrt (the npm static 4.1 build), to see a server without SRT refuse callers. */
function ffmpegWithoutSrt(): string | null {
  try {
    const file = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    const listed = spawnSync(file, ['-hide_banner', '-protocols'], { encoding: 'utf8' });
    return existsSync(file) && listed.status === 0 && !/^\s+srt$/m.test(listed.stdout) ? file : null;
  } catch {
    return null;
  }
}

/** Real server; Debian's ffmpeg publishes SRT (caller) to the UDP port of the room's number. */
describe.skipIf(!haveSrt)(`SRT ingest on the room port${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const { rooms, clients, join } = roomWatchers(afterAll);

  /** ffmpeg 5.1 sends the streamid of its URL as it is written (no percent-decoding): `#!::...` goes in unencoded. */
  const srt = (port: number, streamId: string) => `srt://127.0.0.1:${port}?streamid=${streamId}`;
  /** A publish that must be refused: ffmpeg fails at once (a rejection, not the caller's connect timeout). */
  const refused = async (url: string) => {
    const startedAt = Date.now();
    const { code, stderr } = await pushTestPattern(url, 2);
    expect(code, stderr).not.toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    return stderr;
  };

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 5 });
    for (const name of ['srt', 'refused', 'closing', 'drop']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });

  it('reports SRT in /health and the admin stats', async () => {
    const health = await server.api('GET', '/health');
    expect(health.body.data.ingest).toEqual({ srt: true, rtmpPort: null });
    expect((await server.stats()).ingest).toEqual({ srt: true, rtmpPort: null });
  });

  it('turns an ffmpeg SRT publish into HLS (h264 + aac) with live and ended frames in chat', async () => {
    const port = rooms.srt!;
    const { client, welcome } = await join('srt');
    expect(welcome.stream.live).toBe(false);
    const token = await server.token('srt', 'srt1', 'producer');
    const pushed = pushTestPattern(srt(port, token), 5);

    expect(await client.next((f) => f.type === 'stream', 20_000)).toMatchObject({ live: true, path: '/hls/index.m3u8' });
    const first = await firstSegmentCodecs(port);
    expect(first.playlist.segments.length).toBeGreaterThan(0);
    expect(first.codecs).toEqual(['aac', 'h264']);

    const { code, stderr } = await pushed;
    expect(code, stderr).toBe(0);
    expect(await client.next((f) => f.type === 'stream', 15_000)).toMatchObject({ live: false });
    expect(server.logs.some((l) => l.msg === 'ingest failed')).toBe(false);
    // ffmpeg's clean exit sends an SRT shutdown: an end, not a drop the room would hold.
    expect(server.logs.some((l) => l.msg === 'producer dropped: stream held for it')).toBe(false);
  });

  it('holds the stream of a caller lost without an SRT shutdown (killed) for its return', async () => {
    const { client } = await join('drop');
    const token = await server.token('drop', 'p1', 'producer');
    const publisher = await startTestPattern(srt(rooms.drop!, token), 30);
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    publisher.child.kill('SIGKILL');
    const ingest = async () => ((await (await fetch(`http://127.0.0.1:${rooms.drop}/ingest?token=${token}`)).json()) as { data: { ingest: { held: boolean } | null } }).data.ingest;
    // The receiver's libsrt gives up on a silent peer after 5 s; the room then holds the stream (STREAM_RESUME_SECONDS, 5 s).
    await expect.poll(async () => (await ingest())?.held, { timeout: 12_000, interval: 200 }).toBe(true);
    expect(client.frames.filter((f) => f.type === 'stream').map((f) => f.live)).toEqual([true]);
  });

  it('takes the access-control stream ID form (#!::r=ROOM,m=publish,s=TOKEN)', async () => {
    const { client } = await join('srt');
    const token = await server.token('srt', 'srt2', 'producer');
    const pushed = pushTestPattern(srt(rooms.srt!, `#!::r=srt,m=publish,s=${token}`), 3);
    expect(await client.next((f) => f.type === 'stream' && f.live === true, 20_000)).toMatchObject({ live: true });
    expect((await pushed).code).toBe(0);
    await client.next((f) => f.type === 'stream' && f.live === false, 15_000);
  });

  it('refuses junk, a viewer token, another room\'s token, a wrong room and a request mode at once; no stream starts', async () => {
    const port = rooms.refused!;
    const { client } = await join('refused');
    const producer = await server.token('refused', 'p1', 'producer');
    for (const streamId of [
      'junk',
      await server.token('refused', 'v1', 'viewer'),
      await server.token('srt', 'p1', 'producer'),
      `#!::r=srt,m=publish,s=${producer}`,
      `#!::r=refused,m=request,s=${producer}`,
    ]) {
      await refused(srt(port, streamId));
    }
    await refused(`srt://127.0.0.1:${port}`);
    expect(client.frames.some((f) => f.type === 'stream')).toBe(false);
  });

  it('refuses an SRT publisher while an RTMP one is live (one producer slot whatever the protocol)', async () => {
    const port = rooms.refused!;
    const { client } = await join('refused');
    const first = pushTestPattern(`rtmp://127.0.0.1:${port}/live/${await server.token('refused', 'p1', 'producer')}`, 4, 'flv');
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    await refused(srt(port, await server.token('refused', 'p2', 'producer')));
    expect((await first).code).toBe(0);
    await client.next((f) => f.type === 'stream' && f.live === false, 15_000);
  });

  it('refuses a second SRT publisher; closing the room during an SRT publish cuts the publisher and frees the UDP port', async () => {
    const port = rooms.closing!;
    const { client } = await join('closing');
    const startedAt = Date.now();
    const pushed = pushTestPattern(srt(port, await server.token('closing', 'p1', 'producer')), 30);
    await client.next((f) => f.type === 'stream' && f.live === true, 20_000);
    // A second SRT publisher while this one is live.
    await refused(srt(port, await server.token('closing', 'p2', 'producer')));
    expect((await server.api('DELETE', '/api/v1/room/closing', { key: server.env.KEY })).status).toBe(200);
    // The publisher learns at once (a shutdown from the relay), long before its 30 s are over.
    await pushed;
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    const socket = dgram.createSocket('udp6');
    socket.bind(port);
    await once(socket, 'listening');
    socket.close();
  });

  it('takes SRT publishers on two workers at once (each worker binds its own UDP sockets, none shared through the cluster primary)', async () => {
    const two = await start({ workers: 2, roomPortCount: 4 });
    const ports: Record<string, number> = {};
    for (const name of ['east', 'west']) ports[name] = (await two.createRoom(name)).body.data.port;
    const pids = new Set((await two.rooms()).map((room) => room.workerPid));
    expect(pids.size, 'the two rooms live in different workers').toBe(2);
    const watchers = await Promise.all(['east', 'west'].map(async (name) => (await ChatTestClient.join(ports[name]!, { name: `w-${name}` })).client));
    clients.push(...watchers);
    const pushes = await Promise.all(['east', 'west'].map(async (name) => pushTestPattern(srt(ports[name]!, await two.token(name, `p-${name}`, 'producer')), 5)));
    for (const watcher of watchers) await watcher.next((f) => f.type === 'stream' && f.live === true, 20_000);
    for (const { code, stderr } of await Promise.all(pushes)) expect(code, stderr).toBe(0);
    for (const watcher of watchers) await watcher.next((f) => f.type === 'stream' && f.live === false, 15_000);
    expect(two.logs.some((l) => l.msg === 'ingest failed')).toBe(false);
  });

  const noSrt = ffmpegWithoutSrt();
  it.skipIf(noSrt === null)('refuses SRT callers with a reason where the server\'s ffmpeg has no srt, and says why in its log once', async () => {
    const other = await start({ workers: 1, roomPortCount: 2, env: { FFMPEG_PATH: noSrt! } });
    const port = (await other.createRoom('nosrt')).body.data.port;
    const token = await other.token('nosrt', 'p1', 'producer');
    expect((await other.api('GET', '/health')).body.data.ingest).toEqual({ srt: false, rtmpPort: null });
    await refused(srt(port, token));
    await refused(srt(port, token));
    expect(other.logs.filter((l) => String(l.msg).includes('SRT publishers are refused'))).toHaveLength(1);
  });
});
