import { afterEach, describe, expect, it } from 'vitest';
import { serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';

interface Sample {
  reads: number;
  refreshes: number;
  version: number;
  workerVersions: number[];
}

async function sample(server: ServerProcess): Promise<Sample> {
  const stats = (await server.admin('GET', '/api/v1/stats')).body.data;
  return {
    reads: stats.store.reads,
    refreshes: stats.cache.refreshes,
    version: stats.cache.version,
    workerVersions: stats.workers.map((w: { cacheVersion: number }) => w.cacheVersion),
  };
}

/** Store reads per cache refresh, over a window of at least `refreshes` refreshes. */
async function readsPerRefresh(server: ServerProcess, refreshes: number): Promise<{ perRefresh: number; last: Sample }> {
  const start = await sample(server);
  let now = start;
  await expect.poll(async () => (now = await sample(server)).refreshes - start.refreshes, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(refreshes);
  return { perRefresh: (now.reads - start.reads) / (now.refreshes - start.refreshes), last: now };
}

describe('cached store data pushed to workers', () => {
  const start = serversPerTest(afterEach);

  it('reads the store the same number of times per refresh whatever the workers and rooms', async () => {
    const small = await start({ workers: 1, env: { CACHE_REFRESH_MS: '150' } });
    await small.createRoom('only-room');
    const large = await start({ workers: 3, roomPortCount: 12, env: { CACHE_REFRESH_MS: '150' } });
    for (let i = 0; i < 10; i++) await large.createRoom(`room-${i}`);

    const a = await readsPerRefresh(small, 5);
    const b = await readsPerRefresh(large, 5);
    // settings + bans + token revocations: three reads per refresh, none per worker or room.
    expect(a.perRefresh).toBe(3);
    expect(b.perRefresh).toBe(3);
    // every worker holds the primary's current version (it changes only when the data does)
    for (const version of b.last.workerVersions) expect(version).toBe(b.last.version);
  });
});
