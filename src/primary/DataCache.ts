import NodeCache from 'node-cache';
import type { Logger } from '../log/createLogger.js';
import type { CacheSnapshot } from '../ipc/messages.js';
import type { Store } from '../store/Store.js';
import { DEFAULT_SETTINGS } from '../store/records.js';
import { MAX_TOKEN_TTL_S } from '../chat/tokens.js';

const SNAPSHOT_KEY = 'snapshot';

export interface DataCacheOptions {
  readonly store: Store;
  readonly refreshMs: number;
  readonly logger: Logger;
  /** Hands each new snapshot to every worker. */
  readonly publish: (snapshot: CacheSnapshot) => void;
}

export interface CacheCounters {
  refreshes: number;
  failures: number;
}

/**
 * The primary's copy of settings, bans and token revocations. Loaded from the store on a timer
 * and at once after a change, then pushed to every worker: store reads stay at three per
 * refresh however many workers, rooms or messages there are.
 */
export class DataCache {
  readonly counters: CacheCounters = { refreshes: 0, failures: 0 };
  readonly #options: DataCacheOptions;
  // Entries never expire by time: a store outage keeps the last good data instead of none.
  readonly #cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #version = 0;

  constructor(options: DataCacheOptions) {
    this.#options = options;
  }

  /** The current snapshot (defaults until the first successful load). */
  snapshot(): CacheSnapshot {
    return (
      this.#cache.get<CacheSnapshot>(SNAPSHOT_KEY) ?? { version: 0, settings: DEFAULT_SETTINGS, bans: [], loadedAt: 0 }
    );
  }

  /**
   * Loads once and starts the refresh timer. With the store known to be down, it starts on the
   * defaults instead (the timer keeps trying); otherwise a failed first load fails the start.
   */
  async start(storeUp = true): Promise<void> {
    if (storeUp) await this.#load();
    else this.#options.logger.warn('store down: serving default settings and no bans until it answers');
    this.#timer = setInterval(() => void this.refresh(), this.#options.refreshMs);
    this.#timer.unref();
  }

  /**
   * Reloads now. Calls that arrive during a load share one more load after it, so the caller
   * always sees data read after its call, and a burst of admin changes costs two loads.
   */
  refresh(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#running) {
      this.#queued = this.#running.then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
      return this.#queued;
    }
    this.#running = this.#load()
      .catch((error: unknown) => {
        this.counters.failures += 1;
        this.#options.logger.warn({ err: error }, 'cache refresh failed; workers keep the last snapshot');
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#cache.close();
  }

  async #load(): Promise<void> {
    const now = Date.now();
    const { store } = this.#options;
    // A revocation older than the longest token lifetime covers no token still alive.
    const [settings, bans, revocations] = await Promise.all([store.getSettings(), store.listBans(now), store.listRevocations(now - MAX_TOKEN_TTL_S * 1000)]);
    const snapshot: CacheSnapshot = { version: ++this.#version, settings, bans, revocations, loadedAt: now };
    this.#cache.set(SNAPSHOT_KEY, snapshot);
    this.counters.refreshes += 1;
    this.#options.publish(snapshot);
    this.#options.logger.debug({ version: snapshot.version, bans: bans.length }, 'cache refreshed');
  }
}
