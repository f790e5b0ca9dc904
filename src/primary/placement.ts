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
