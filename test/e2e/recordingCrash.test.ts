import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePlaylist } from '../helpers/fmp4Segments.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

interface Listed {
  readonly id: string;
  readonly endedAt: number | null;
  readonly duration: number;
  readonly bytes: number;
  readonly url: string;
}

/**
 * kill -9 of the room worker in the middle of a recorded broadcast (a real ffmpeg push): what
 * was written before the crash is kept, sealed with ENDLIST by the primary, and plays; and a
 * primary killed mid-broadcast has its recording sealed at the next start.
 */
describe('recordings survive a worker crash and a server kill', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let publisher: TestPublisher | undefined;

  beforeAll(async () => {
    server = await start({ workers: 1 });
  });
  afterAll(() => {
    publisher?.child.kill('SIGKILL');
  });

  const recordings = async (target: ServerProcess, room: string): Promise<Listed[]> => (await target.api('GET', `/api/v1/room/${room}/recordings`)).body.data as Listed[];

  /** Pushes until the recording in the API has at least `seconds` of media; returns it. */
  const recordFor = async (target: ServerProcess, room: string, seconds: number): Promise<Listed> => {
    const port = (await target.createRoom(room)).body.data.port as number;
    publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${await target.token(room, 'cam', 'producer')}`, 60);
    await expect.poll(async () => (await recordings(target, room))[0]?.duration ?? 0, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(seconds);
    return (await recordings(target, room))[0]!;
  };

  it('seals what a killed worker was recording, and it plays to its end', async () => {
    const before = await recordFor(server, 'crash', 3);
    expect(before.endedAt).toBeNull();
    const rooms = await server.admin('GET', '/api/v1/rooms');
    const pid = rooms.body.data.find((room: { name: string }) => room.name === 'crash').workerPid as number;
    process.kill(pid, 'SIGKILL');
    const sealed = await (async () => {
      let found: Listed | undefined;
      await expect.poll(async () => (found = (await recordings(server, 'crash')).find((r) => r.id === before.id))?.endedAt ?? null, { timeout: 15_000, interval: 100 }).not.toBeNull();
      return found!;
    })();
    publisher?.child.kill('SIGKILL');
    // At least what the API showed before the crash, all of it playable.
    expect(sealed.duration).toBeGreaterThanOrEqual(before.duration);
    expect(sealed.bytes).toBeGreaterThan(0);
    // Served again once the room is back on its port in the respawned worker.
    await expect.poll(async () => (await fetch(sealed.url).catch(() => null))?.status, { timeout: 15_000, interval: 100 }).toBe(200);
    const playlist = await (await fetch(sealed.url)).text();
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const probed = await probePlaylist(sealed.url);
    expect(probed.duration).toBeGreaterThanOrEqual(sealed.duration - 0.5);
    expect(probed.frames).toBeGreaterThan(50);
  }, 60_000);

  it('seals at the next start what a killed server was recording', async () => {
    const killed = await start({ workers: 1 });
    const before = await recordFor(killed, 'killed', 2);
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
    publisher?.child.kill('SIGKILL');
    // The workers go with their primary (they watch its IPC channel); the next start recovers.
    const again = await start({ workers: 1, dataDir: killed.dataDir, ports: killed.ports });
    const sealed = (await recordings(again, 'killed')).find((r) => r.id === before.id)!;
    expect(sealed.endedAt).not.toBeNull();
    expect(sealed.duration).toBeGreaterThanOrEqual(before.duration);
    const playlist = await (await fetch(sealed.url)).text();
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect((await probePlaylist(sealed.url)).frames).toBeGreaterThan(25);
  }, 60_000);
});
