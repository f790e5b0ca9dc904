import { readdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../src/hls/recording/RecordingWriter.js';
import { newRecordingId } from '../../src/hls/recording/recordingIds.js';
import { createLogger } from '../../src/kit/createLogger.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { makeRecordableSegments, probePlaylist } from '../helpers/fmp4Segments.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

// An hour ago: within RECORDINGS_RETENTION_DAYS (older ones would be deleted at the start).
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const OPEN_ID = newRecordingId(T0);
const ORPHAN_ID = newRecordingId(T0 + 60_000);
const GONE_ID = newRecordingId(T0 + 120_000);

/** A raw GET on the room port (fetch would normalise `..` away). */
function roomGet(port: number, target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * What a server killed mid-broadcast leaves: the store says recording OPEN_ID of room `show` is
 * open, its folder has an EVENT playlist of 3 segments and half of a fourth; ORPHAN_ID's folder
 * is unknown to the store (its first note never arrived); GONE_ID belongs to a deleted room.
 */
async function seed(dataDir: string, port: number): Promise<void> {
  const segments = await makeRecordableSegments(4, T0);
  const logger = createLogger('silent');
  const write = async (room: string, id: string, count: number) => {
    const writer = new RecordingWriter(path.join(dataDir, 'recordings', room, id), logger);
    const written = new Promise<void>((resolve) => writer.on('written', (progress) => progress.segments === count && resolve()));
    for (const segment of segments.slice(0, count)) writer.add(segment);
    await written;
    return path.join(dataDir, 'recordings', room, id);
  };
  const open = await write('show', OPEN_ID, 3);
  await writeFile(path.join(open, 'seg-3.m4s.tmp'), segments[3]!.bytes.subarray(0, 999));
  await symlink('/etc/passwd', path.join(open, 'seg-9.m4s'));
  await write('show', ORPHAN_ID, 1);
  await write('gone', GONE_ID, 1);
  const store = new SqliteStore(dataDir);
  await store.open();
  await store.saveRoom({ name: 'show', port, settings: {}, createdAt: 1 });
  await store.recordings.saveRecording({ room: 'show', id: OPEN_ID, startedAt: T0, endedAt: null, duration: 0, bytes: 0 });
  await store.close();
}

describe('recordings: recovery, API and serving (real server)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let roomPort: number;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 2, seed: (dataDir, ports) => seed(dataDir, ports.first) });
    roomPort = server.roomPorts.first;
  });

  it('seals what a crash left open and adopts an unknown folder; a deleted room’s folder goes', async () => {
    const list = await server.api('GET', '/api/v1/room/show/recordings');
    expect(list.status).toBe(200);
    const [newest, oldest] = list.body.data as Array<Record<string, unknown>>;
    expect(list.body.data).toHaveLength(2);
    expect(newest).toMatchObject({ id: ORPHAN_ID, url: `http://${server.env.PUBLIC_HOST}:${roomPort}/recordings/${ORPHAN_ID}/index.m3u8` });
    expect(oldest).toMatchObject({ id: OPEN_ID, startedAt: T0 });
    expect(oldest!.duration).toBeGreaterThan(2.5);
    expect(oldest!.endedAt).toBe(Math.round(T0 + (oldest!.duration as number) * 1000));
    expect(oldest!.bytes).toBeGreaterThan(1000);
    expect((await readdir(path.join(server.dataDir, 'recordings', 'show', OPEN_ID))).sort()).toEqual(['index.m3u8', 'init-1.mp4', 'seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s']);
    expect(await readdir(path.join(server.dataDir, 'recordings', 'gone'))).toEqual([]);
    const one = await server.api('GET', `/api/v1/room/show/recordings/${OPEN_ID}`);
    expect(one.body.data).toEqual(oldest);
  });

  it('serves the sealed VOD playlist (long cache) that plays to its end, and segments with Range', async () => {
    const playlist = await roomGet(roomPort, `/recordings/${OPEN_ID}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers['access-control-allow-origin']).toBe('*');
    expect(playlist.headers['cache-control']).toMatch(/max-age=86400/);
    expect(playlist.body.toString()).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD[\s\S]*#EXT-X-ENDLIST\n$/);
    const probed = await probePlaylist(`http://127.0.0.1:${roomPort}/recordings/${OPEN_ID}/index.m3u8`);
    expect(probed.duration).toBeGreaterThan(2.5);
    const whole = await roomGet(roomPort, `/recordings/${OPEN_ID}/seg-1.m4s`);
    expect(whole.headers['cache-control']).toMatch(/immutable/);
    const part = await roomGet(roomPort, `/recordings/${OPEN_ID}/seg-1.m4s`, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${whole.body.length}`);
    expect(part.body).toEqual(whole.body.subarray(10, 20));
    expect((await roomGet(roomPort, `/recordings/${OPEN_ID}/seg-1.m4s`, { range: 'bytes=999999999-' })).status).toBe(416);
  });

  it('never serves a path outside a recording, a symlink, a temp file or an odd name', async () => {
    for (const target of [
      `/recordings/${OPEN_ID}/../${ORPHAN_ID}/index.m3u8`,
      `/recordings/${OPEN_ID}/%2e%2e/x`,
      '/recordings/../../etc/passwd',
      `/recordings/${OPEN_ID}/seg-9.m4s`,
      `/recordings/${OPEN_ID}/seg-3.m4s.tmp`,
      `/recordings/${OPEN_ID}/seg-01.m4s`,
      `/recordings/${OPEN_ID.toUpperCase()}/index.m3u8`,
      `/recordings/${OPEN_ID}/`,
      '/recordings/',
    ]) {
      const answer = await roomGet(roomPort, target);
      expect(answer.status, target).toBe(404);
      expect(JSON.parse(answer.body.toString()).error.code, target).toBe('RECORDING_NOT_FOUND');
    }
    const post = await new Promise<number>((resolve) => http.request({ host: '127.0.0.1', port: roomPort, path: `/recordings/${OPEN_ID}/index.m3u8`, method: 'POST' }, (res) => resolve(res.statusCode ?? 0)).end());
    expect(post).toBe(405);
  });

  it('answers 404s with the catalog and deletes on the admin API only', async () => {
    expect((await server.api('GET', '/api/v1/room/nope/recordings')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await server.api('GET', '/api/v1/room/bad%20name/recordings')).body.error.code).toBe('INVALID_ROOM_NAME');
    for (const id of ['00000000000ff', 'not.an.id', OPEN_ID.toUpperCase()]) {
      const answer = await server.api('GET', `/api/v1/room/show/recordings/${id}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('RECORDING_NOT_FOUND');
    }
    expect((await server.api('DELETE', `/api/v1/room/show/recordings/${ORPHAN_ID}`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/v1/room/show/recordings/${ORPHAN_ID}`, { admin: true, key: 'wrong' })).status).toBe(401);
    const deleted = await server.admin('DELETE', `/api/v1/room/show/recordings/${ORPHAN_ID}`);
    expect(deleted.status).toBe(200);
    expect((await server.admin('DELETE', `/api/v1/room/show/recordings/${ORPHAN_ID}`)).body.error.code).toBe('RECORDING_NOT_FOUND');
    expect((await roomGet(roomPort, `/recordings/${ORPHAN_ID}/index.m3u8`)).status).toBe(404);
    expect((await server.api('GET', '/api/v1/room/show/recordings')).body.data.map((r: { id: string }) => r.id)).toEqual([OPEN_ID]);
  });

  it('deletes the recordings with their room', async () => {
    const erased = server.waitForLog((line) => line.msg === 'room deleted: its recordings are deleted' && line.room === 'show');
    expect((await server.api('DELETE', '/api/v1/room/show', { key: server.env.KEY })).status).toBe(200);
    expect(await erased).toMatchObject({ deleted: 1 });
    expect(await readdir(path.join(server.dataDir, 'recordings'))).not.toContain('show');
    expect((await server.stats()).recordings).toMatchObject({ count: 0, bytes: 0, sealed: 2 });
  });
});
