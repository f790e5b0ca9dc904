import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { livePush, startTestPattern } from '../helpers/media.js';
import { IngestSocket } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0;
const skipReason = haveFfmpeg ? '' : ` (skipped: ${FFMPEG} is missing)`;
const RESUME_SECONDS = 2;

/**
 * Real server and real ffmpeg publishers: a dropped producer resumes its stream within
 * STREAM_RESUME_SECONDS (over another protocol, too), the stream ends after it otherwise;
 * moderators and operators stop streams and the stopped producer is refused.
 */
describe.skipIf(!haveFfmpeg)(`stream resume and stop${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const rooms: Record<string, number> = {};
  const clients: ChatTestClient[] = [];

  const join = async (room: string, token?: string) => {
    const joined = await ChatTestClient.join(rooms[room]!, token ? { token } : { name: `viewer${clients.length}` });
    clients.push(joined.client);
    return joined.client;
  };
  const rtmp = (room: string, key: string) => `rtmp://127.0.0.1:${rooms[room]}/live/${key}`;
  const playlist = async (room: string) => (await fetch(`http://127.0.0.1:${rooms[room]}/hls/index.m3u8`)).text();
  const ingestInfo = async (room: string, token: string) => (await (await fetch(`http://127.0.0.1:${rooms[room]}/ingest?token=${token}`)).json()) as Frame;
  const isStream = (live: boolean) => (f: Frame) => f.type === 'stream' && f.live === live;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 6, env: { STREAM_RESUME_SECONDS: String(RESUME_SECONDS), STREAM_STOP_REFUSE_SECONDS: '30' } });
    for (const name of ['resume', 'expire', 'modstop', 'adminstop', 'wsstop']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });
  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('resumes a dropped RTMP publish when the same producer comes back over HTTP: one playlist, a discontinuity, no ended in chat', async () => {
    const chat = await join('resume');
    const publisher = await startTestPattern(rtmp('resume', await server.token('resume', 'obs', 'producer')), 30, 'flv');
    await chat.next(isStream(true), 20_000);
    await expect.poll(async () => parsePlaylist(await playlist('resume')).segments.length, { timeout: 10_000 }).toBeGreaterThan(2);
    const before = parsePlaylist(await playlist('resume'));
    const lastBefore = before.mediaSequence + before.segments.length - 1;

    publisher.child.kill('SIGKILL');
    // A fresh token for the same user: the producer is the token's `sub`, whatever the protocol.
    const push = await livePush(rooms.resume!, await server.token('resume', 'obs', 'producer'), 4);
    const answer = await push.answer;
    expect(answer.status, answer.body).toBe(200);
    await chat.next(isStream(false), 10_000);

    const after = parsePlaylist(await playlist('resume'));
    const text = await playlist('resume');
    expect(text).toContain('#EXT-X-DISCONTINUITY');
    expect(after.ended).toBe(true);
    // The media sequence went on: the new segments come after the old ones, never from 0 again.
    expect(after.mediaSequence + after.segments.length - 1).toBeGreaterThan(lastBefore);
    expect(after.mediaSequence).toBeGreaterThanOrEqual(before.mediaSequence);
    expect(chat.frames.filter((f) => f.type === 'stream').map((f) => f.state)).toEqual(['live', 'ended']);
    expect(server.logs.some((l) => l.msg === 'producer came back: resuming')).toBe(true);
  });

  it('holds a dropped stream (no ENDLIST, another producer busy) and ends it with ENDLIST when nobody comes back', async () => {
    const chat = await join('expire');
    const token = await server.token('expire', 'obs', 'producer');
    const publisher = await startTestPattern(rtmp('expire', token), 30, 'flv');
    await chat.next(isStream(true), 20_000);
    publisher.child.kill('SIGKILL');
    const droppedAt = Date.now();
    await expect.poll(async () => (await ingestInfo('expire', token)).data?.ingest?.held, { timeout: 5_000, interval: 100 }).toBe(true);
    expect(parsePlaylist(await playlist('expire')).ended).toBe(false);
    const other = await fetch(`http://127.0.0.1:${rooms.expire}/ingest?token=${await server.token('expire', 'someoneelse', 'producer')}`);
    expect(other.status).toBe(409);

    await chat.next(isStream(false), 10_000);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(RESUME_SECONDS * 1000 - 200);
    expect(parsePlaylist(await playlist('expire')).ended).toBe(true);
    expect((await ingestInfo('expire', token)).data.ingest).toBeNull();
  });

  it('a moderator stops an RTMP stream: the publisher hears the reason, chat a system line and ended, and the producer is refused', async () => {
    const viewer = await join('modstop');
    const moderator = await join('modstop', await server.token('modstop', 'mod1', 'moderator'));
    const token = await server.token('modstop', 'obs', 'producer');
    const publisher = await startTestPattern(rtmp('modstop', token), 30, 'flv');
    await viewer.next(isStream(true), 20_000);

    const producerTries = await join('modstop', token);
    producerTries.send({ type: 'stopStream', ref: 'p' });
    expect(await producerTries.next((f) => f.type === 'error')).toMatchObject({ code: 'FORBIDDEN', ref: 'p' });

    moderator.send({ type: 'stopStream', reason: 'off-topic', ref: 'stop1' });
    expect(await moderator.next((f) => f.type === 'ok' || f.type === 'error')).toEqual({ type: 'ok', ref: 'stop1' });
    expect(await viewer.next((f) => f.type === 'system')).toMatchObject({ text: 'The stream was stopped by moderator mod1: off-topic' });
    await viewer.next(isStream(false), 10_000);
    const { code, stderr } = await publisher.done;
    expect(code).not.toBe(0);
    expect(stderr).toContain('off-topic');
    expect(parsePlaylist(await playlist('modstop')).ended).toBe(true);

    // OBS reconnects by itself: refused with the reason, over RTMP and HTTP alike.
    const again = await startTestPattern(rtmp('modstop', token), 2, 'flv');
    const retried = await again.done;
    expect(retried.code).not.toBe(0);
    expect(retried.stderr).toContain('STREAM_STOPPED_BY_MODERATOR');
    const http = await livePush(rooms.modstop!, token, 2);
    const refused = await http.answer;
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'STREAM_STOPPED_BY_MODERATOR' });
    expect((await ingestInfo('modstop', token)).data.ready).toBe(false);

    moderator.send({ type: 'stopStream', ref: 'stop2' });
    expect(await moderator.next((f) => f.type === 'error')).toMatchObject({ code: 'STREAM_NOT_LIVE', ref: 'stop2' });
  });

  it('the admin API stops an HTTP push: 403 with the reason in its answer, chat told, 409 when nothing streams', async () => {
    const chat = await join('adminstop');
    const token = await server.token('adminstop', 'pusher', 'producer');
    const push = await livePush(rooms.adminstop!, token, 30);
    await chat.next(isStream(true), 20_000);

    const stopped = await server.admin('POST', '/api/v1/room/adminstop/stream/stop', { reason: 'copyright claim' });
    expect(stopped.status).toBe(200);
    expect(stopped.body.data).toMatchObject({ room: 'adminstop', producer: 'pusher' });
    const answer = await push.answer;
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error).toEqual({ code: 'STREAM_STOPPED_BY_MODERATOR', message: 'The stream was stopped by an operator: copyright claim' });
    expect(await chat.next((f) => f.type === 'system')).toMatchObject({ text: 'The stream was stopped by an operator: copyright claim' });
    await chat.next(isStream(false), 10_000);

    expect((await server.admin('POST', '/api/v1/room/adminstop/stream/stop', {})).body.error.code).toBe('STREAM_NOT_LIVE');
    expect((await server.admin('POST', '/api/v1/room/nosuchroom/stream/stop')).status).toBe(404);
    expect((await server.admin('POST', '/api/v1/room/adminstop/stream/stop', { reason: 'x'.repeat(501) })).status).toBe(400);
  });

  it('a stopped WebSocket producer gets the error frame and close 4010, and its reconnect is refused with 403', async () => {
    const chat = await join('wsstop');
    const token = await server.token('wsstop', 'browser', 'producer');
    const producer = await IngestSocket.open(rooms.wsstop!, token);
    const source = await startTestPattern('pipe:1', 30, 'mpegts');
    source.child.stdout!.on('data', (chunk: Buffer) => producer.ws.send(chunk));
    expect((await producer.next((f) => f.type === 'ingest' && f.state === 'live')).warnings).toEqual([]);

    expect((await server.admin('POST', '/api/v1/room/wsstop/stream/stop')).status).toBe(200);
    expect(await producer.next((f) => f.type === 'error')).toEqual({ type: 'error', code: 'STREAM_STOPPED_BY_MODERATOR', message: 'The stream was stopped by an operator' });
    expect((await producer.closed).code).toBe(4010);
    source.child.kill('SIGKILL');
    await chat.next(isStream(false), 10_000);
    await expect(IngestSocket.open(rooms.wsstop!, token)).rejects.toMatchObject({ status: 403, body: { error: { code: 'STREAM_STOPPED_BY_MODERATOR' } } });
  });
});
