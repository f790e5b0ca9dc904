/** What placement knows about a worker. */
export interface WorkerLoadView {
  readonly index: number;
  readonly ready: boolean;
  readonly rooms: number;
  readonly clients: number;
}

/**
 * A room costs its port, timers and memory even when empty, and each client costs about as
 * much again as a room's fixed share: rooms weigh in as this many clients.
 */
const ROOM_WEIGHT_IN_CLIENTS = 50;

/** The ready worker with the least load (ties: the lowest index), or undefined if none is ready. */
export function leastLoadedWorker(workers: readonly WorkerLoadView[]): number | undefined {
  let best: WorkerLoadView | undefined;
  let bestScore = Infinity;
  for (const worker of workers) {
    if (!worker.ready) continue;
    const score = worker.rooms * ROOM_WEIGHT_IN_CLIENTS + worker.clients;
    if (score < bestScore) {
      best = worker;
      bestScore = score;
    }
  }
  return best?.index;
}

/** What placement needs to know of each worker, from the pool's slots and the rooms they hold. */
export function workerLoads(slots: ReadonlyArray<{ index: number; state: string }>, rooms: Iterable<{ slot: number; clients: number }>): WorkerLoadView[] {
  const counts = new Map<number, { rooms: number; clients: number }>();
  for (const room of rooms) {
    const count = counts.get(room.slot) ?? { rooms: 0, clients: 0 };
    count.rooms += 1;
    count.clients += room.clients;
    counts.set(room.slot, count);
  }
  return slots.map((slot) => ({ index: slot.index, ready: slot.state === 'ready', rooms: counts.get(slot.index)?.rooms ?? 0, clients: counts.get(slot.index)?.clients ?? 0 }));
}
