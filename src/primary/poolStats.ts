import type { WorkerStats } from '../contracts/ipc.js';
import type { Logger } from '../kit/createLogger.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { ServerStats } from './ServerStats.js';
import type { WorkerPool } from './WorkerPool.js';

/** A worker busy past this is shown without its own figures rather than holding up the stats. */
const WORKER_STATS_TIMEOUT_MS = 2_000;

/** Asks every ready worker for what only it knows (memory, event-loop lag, cache version, counters). */
async function askWorkers(pool: WorkerPool, logger: Logger): Promise<Map<number, WorkerStats>> {
  const answers = new Map<number, WorkerStats>();
  await Promise.all(
    pool.readySlots().map(async (slot) => {
      try {
        const stats = await slot.channel?.request('worker.stats', {}, WORKER_STATS_TIMEOUT_MS);
        if (stats) answers.set(slot.index, stats);
      } catch (error) {
        logger.debug({ err: error, worker: slot.index }, 'worker stats not available');
      }
    }),
  );
  return answers;
}

/**
 * The workers' and rooms' part of `GET /api/v1/stats`: each worker's own figures, asked for
 * now, and the rooms' counts as their workers last reported them.
 */
export async function poolStats(pool: WorkerPool, rooms: RoomDirectory, logger: Logger): Promise<Pick<ServerStats, 'workers' | 'rooms'>> {
  const answers = await askWorkers(pool, logger);
  const all = rooms.list();
  return {
    workers: pool.slots.map((slot) => {
      const own = answers.get(slot.index);
      return {
        index: slot.index,
        pid: slot.pid ?? null,
        state: slot.state,
        restarts: slot.restarts,
        rooms: rooms.roomsOnSlot(slot.index).length,
        rssBytes: own?.rssBytes ?? null,
        cacheVersion: own?.cacheVersion ?? null,
        eventLoopLagMs: own?.eventLoopLagMs ?? null,
        hlsHeld: own?.hlsHeld ?? null,
        counters: own?.counters ?? null,
      };
    }),
    rooms: {
      total: all.length,
      open: all.filter((room) => room.status === 'open').length,
      clients: all.reduce((sum, room) => sum + room.clients, 0),
      viewers: all.reduce((sum, room) => sum + room.viewers, 0),
      live: all.filter((room) => room.live).length,
    },
  };
}
