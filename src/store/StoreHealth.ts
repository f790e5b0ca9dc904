import { EventEmitter } from 'node:events';
import type { Logger } from '../kit/createLogger.js';

/** How often an unreachable store is tried again. */
export const STORE_PROBE_MS = 2_000;

/**
 * Whether a store that lives elsewhere (MongoDB) answers. A failed call reports it; while it is
 * down, one probe every STORE_PROBE_MS finds out when it is back. 'down' and 'up' are emitted on
 * each change, so everything that waits for the store (the journal's replay, the cache, the
 * rooms to restore) waits on this one signal instead of its own timer.
 */
export class StoreHealth extends EventEmitter<{ up: []; down: [Error] }> {
  readonly #probe: () => Promise<void>;
  readonly #logger: Logger;
  readonly #probeMs: number;
  #up: boolean;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #since = Date.now();

  constructor(probe: () => Promise<void>, logger: Logger, options: { up?: boolean; probeMs?: number } = {}) {
    super();
    this.#probe = probe;
    this.#logger = logger;
    this.#probeMs = options.probeMs ?? STORE_PROBE_MS;
    this.#up = options.up ?? true;
  }

  get up(): boolean {
    return this.#up;
  }

  /** A call failed: unless a probe says otherwise soon, the store is down. */
  reportFailure(error: Error): void {
    if (!this.#up || this.#closed) return;
    this.#up = false;
    this.#since = Date.now();
    this.#logger.error({ err: error }, 'store unreachable; writes go to the local journal until it is back');
    this.emit('down', error);
    this.#schedule();
  }

  /** Starts probing (a start without the store). */
  startDown(error: Error): void {
    this.#up = true;
    this.reportFailure(error);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#try(), this.#probeMs);
    this.#timer.unref();
  }

  async #try(): Promise<void> {
    try {
      await this.#probe();
    } catch (error) {
      this.#logger.debug({ err: error }, 'store still unreachable');
      this.#schedule();
      return;
    }
    if (this.#closed) return;
    this.#up = true;
    this.#logger.warn({ downMs: Date.now() - this.#since }, 'store reachable again');
    this.emit('up');
  }
}
