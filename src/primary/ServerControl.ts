import type { LogLevel } from '../contracts/logLevels.js';
import { DomainError } from '../contracts/domainErrors.js';
import { setLogLevel, type Logger } from '../kit/createLogger.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { WorkerPool } from './WorkerPool.js';

/** How long a restarted worker's rooms may take to listen again before the restart moves on. */
const ROOMS_BACK_TIMEOUT_MS = 10_000;

/** Whether the server takes new rooms (an operator drains and resumes it), and since when it runs. */
export interface AcceptingState {
  accepting: boolean;
  readonly startedAt: number;
}

export interface RestartReport {
  readonly workers: number;
  readonly rooms: number;
  readonly ms: number;
  /** Rooms that were not listening again when the restart moved on (see their status). */
  readonly notBack: readonly string[];
}

/** The operator's switches on the admin API: drain and resume, log level, rolling restart, shutdown. */
export class ServerControl {
  readonly #pool: WorkerPool;
  readonly #rooms: RoomDirectory;
  readonly #state: AcceptingState;
  readonly #logger: Logger;
  readonly #close: (reason: string) => Promise<void>;
  readonly #drained: (() => void) | undefined;
  #restarting = false;

  /** `close` takes the whole server down (Primary.close, which a signal calls too). */
  constructor(options: { pool: WorkerPool; rooms: RoomDirectory; state: AcceptingState; logger: Logger; close: (reason: string) => Promise<void>; drained?: () => void }) {
    this.#pool = options.pool;
    this.#rooms = options.rooms;
    this.#state = options.state;
    this.#logger = options.logger;
    this.#close = options.close;
    this.#drained = options.drained;
  }

  /** Drain (false): no new rooms, /health 503, the load balancers told at the next heartbeat. */
  setAccepting(accepting: boolean): void {
    if (this.#state.accepting === accepting) return;
    this.#state.accepting = accepting;
    this.#logger.warn({ accepting }, accepting ? 'accepting new rooms again' : 'draining: no new rooms');
    if (!accepting) this.#drained?.();
  }

  /** Changes the level in the primary and in every worker, at once. */
  async setLogLevel(level: LogLevel): Promise<{ level: LogLevel; workers: number }> {
    setLogLevel(this.#logger, level);
    const answers = await Promise.allSettled(this.#pool.readySlots().map((slot) => slot.channel!.request('worker.logLevel', { level })));
    this.#logger.warn({ level }, 'log level changed');
    return { level, workers: answers.filter((answer) => answer.status === 'fulfilled').length };
  }

  /**
   * Replaces the workers one at a time. Each worker's rooms close with 1001 (clients reconnect
   * by themselves), and the next worker waits until they listen again on the same ports.
   */
  async rollingRestart(): Promise<RestartReport> {
    if (this.#restarting) throw new DomainError('RESTART_RUNNING');
    this.#restarting = true;
    const started = Date.now();
    const notBack: string[] = [];
    let rooms = 0;
    try {
      this.#logger.warn({ workers: this.#pool.slots.length }, 'rolling restart started');
      for (const slot of this.#pool.slots) {
        if (slot.state !== 'ready') continue;
        const names = this.#rooms.roomsOnSlot(slot.index).map((room) => room.name);
        rooms += names.length;
        await this.#pool.restart(slot.index, 'rolling restart');
        notBack.push(...(await this.#roomsBack(names)));
      }
      const report = { workers: this.#pool.slots.length, rooms, ms: Date.now() - started, notBack };
      this.#logger.warn(report, 'rolling restart done');
      return report;
    } finally {
      this.#restarting = false;
    }
  }

  /** Graceful shutdown, as SIGTERM does; resolves once the server is down (the process then exits). */
  shutdown(reason: string): Promise<void> {
    return this.#close(reason);
  }

  async #roomsBack(names: readonly string[]): Promise<string[]> {
    const deadline = Date.now() + ROOMS_BACK_TIMEOUT_MS;
    for (;;) {
      const waiting = names.filter((name) => {
        const status = this.#rooms.get(name)?.status;
        return status === 'opening' || status === 'down';
      });
      if (waiting.length === 0 || Date.now() > deadline) return waiting;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
