import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, roomAnswer, serversPerTest } from '../helpers/ServerProcess.js';

describe('server lifecycle (real processes)', () => {
  const start = serversPerTest(afterEach);

  it('brings persisted rooms back on the same ports after a restart, and exits 0 on SIGTERM', async () => {
    const first = await start({ workers: 2 });
    const workerPids = ((await first.stats()).workers as Array<{ pid: number }>).map((worker) => worker.pid);
    const ports: Record<string, number> = {};
    for (const name of ['keep-a', 'keep-b', 'keep-c']) ports[name] = (await first.createRoom(name)).body.data.port;
    await first.createRoom('gone');
    await first.api('DELETE', '/api/v1/room/gone', { key: 'TESTING_KEY' });

    const exit = await first.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // A shutdown that completed: its workers went before it.
    expect(workerPids.filter(isAlive)).toEqual([]);
    for (const port of Object.values(ports)) expect(await roomAnswer(port)).toBe('error: ECONNREFUSED');

    const second = await start({ workers: 2, dataDir: first.dataDir, ports: first.ports });
    for (const [name, port] of Object.entries(ports)) {
      expect(await roomAnswer(port)).toBe(name);
      const again = await second.createRoom(name);
      expect(again.status).toBe(200);
      expect(again.body.data.port).toBe(port);
    }
    expect((await second.api('GET', '/api/v1/room/gone')).status).toBe(404);
  });

  it('replaces a killed worker and starts its rooms again on the same ports', async () => {
    const server = await start({ workers: 2 });
    const ports: Record<string, number> = {};
    for (const name of ['crash-a', 'crash-b', 'crash-c', 'crash-d']) ports[name] = (await server.createRoom(name)).body.data.port;
    const before = await server.admin('GET', '/api/v1/rooms');
    const victim = before.body.data.find((r: { name: string }) => r.name === 'crash-a');
    const victimRooms = before.body.data.filter((r: { workerPid: number }) => r.workerPid === victim.workerPid).map((r: { name: string }) => r.name);
    expect(victimRooms.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    process.kill(victim.workerPid, 'SIGKILL');
    const reopened = async () => (await server.rooms()).filter((r) => victimRooms.includes(r.name) && r.status === 'open' && r.workerPid !== victim.workerPid).length;
    await expect.poll(reopened, { timeout: 10_000, interval: 50 }).toBe(victimRooms.length);
    const recoveredMs = Date.now() - killedAt;
    for (const [name, port] of Object.entries(ports)) expect(await roomAnswer(port)).toBe(name);

    const after = await server.admin('GET', '/api/v1/rooms');
    const moved = after.body.data.find((r: { name: string }) => r.name === 'crash-a');
    expect(moved.workerPid).not.toBe(victim.workerPid);
    expect(moved.port).toBe(victim.port);
    const stats = await server.admin('GET', '/api/v1/stats');
    expect(stats.body.data.workers.reduce((sum: number, w: { restarts: number }) => sum + w.restarts, 0)).toBe(1);
    expect(recoveredMs).toBeLessThan(10_000);
  });

  it('takes its workers down with it when the primary is killed', async () => {
    const server = await start({ workers: 2 });
    const port = (await server.createRoom('orphan-check')).body.data.port as number;
    const stats = await server.admin('GET', '/api/v1/stats');
    const pids = stats.body.data.workers.map((w: { pid: number }) => w.pid) as number[];
    await server.stop('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await roomAnswer(port)).toBe('error: ECONNREFUSED');
  });
});
