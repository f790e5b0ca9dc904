import { ZERO_WORKER_COUNTERS, type WorkerCounters } from '../contracts/WorkerCounters.js';

const KEYS = Object.keys(ZERO_WORKER_COUNTERS) as Array<keyof WorkerCounters>;

/**
 * Sums the workers' counters so the totals only grow: a worker that died (and restarted with
 * counters at zero) keeps what it had counted at its last reading.
 */
export class WorkerTotals {
  readonly #latest = new Map<number, WorkerCounters>();
  readonly #retired: WorkerCounters = { ...ZERO_WORKER_COUNTERS };

  /** Takes one reading per live worker pid; pids no longer present are retired. */
  update(readings: ReadonlyArray<{ pid: number; counters: Readonly<WorkerCounters> }>): void {
    const live = new Set(readings.map((reading) => reading.pid));
    for (const [pid, counters] of this.#latest) {
      if (live.has(pid)) continue;
      for (const key of KEYS) this.#retired[key] += counters[key];
      this.#latest.delete(pid);
    }
    for (const reading of readings) this.#latest.set(reading.pid, { ...reading.counters });
  }

  totals(): WorkerCounters {
    const sum = { ...this.#retired };
    for (const counters of this.#latest.values()) for (const key of KEYS) sum[key] += counters[key];
    return sum;
  }
}
