import { setImmediate as nextTurn } from 'node:timers/promises';
import { SerialPasses } from '../kit/SerialPasses.js';
import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';
import type { GlobalSettings, RoomSettings } from '../contracts/records.js';
import { globalRetentionSet, retentionRule, roomRetentionSet, type PruneRule } from '../store/retention.js';

/** How often the stored history is pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** Messages one store call may delete: the embedded store's write lock is held for about a millisecond. */
const PRUNE_BATCH = 500;
/** Room names read per store call when every room with messages is walked. */
const ROOM_PAGE = 200;

export interface HistoryPrunerOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** The global settings now (the cache's copy: no store read). */
  readonly settings: () => GlobalSettings;
  /** The rooms this server has, with their own settings (which win over the global ones). */
  readonly rooms: () => Iterable<{ readonly name: string; readonly settings: RoomSettings }>;
  readonly intervalMs?: number;
  readonly batchSize?: number;
  readonly now?: () => number;
}

export interface PrunerCounters {
  passes: number;
  /** Messages deleted by retention. */
  pruned: number;
  failures: number;
}

/**
 * Applies history retention (`historyRetentionDays`, `historyMaxMessages`, global or per room)
 * off the hot path: a pass every minute walks the rooms and deletes their oldest messages in
 * small batches, one store call per turn of the event loop, so chat writes and history reads go
 * in between. Passes never overlap; a pass asked for during one runs after it.
 */
export class HistoryPruner {
  readonly counters: PrunerCounters = { passes: 0, pruned: 0, failures: 0 };
  readonly #options: HistoryPrunerOptions;
  readonly #batchSize: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #passes = new SerialPasses(() => this.#pass(), 0);
  #started = false;
  #failing = false;

  constructor(options: HistoryPrunerOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? PRUNE_BATCH;
  }

  /**
   * Starts a pass every interval (the first one interval from now, off the start's busy
   * moments). Call once the rooms are known: their own settings may keep history the global
   * rule would prune.
   */
  start(): void {
    if (this.#started || this.#passes.closed) return;
    this.#started = true;
    this.#timer = setInterval(() => void this.run(), this.#options.intervalMs ?? PRUNE_INTERVAL_MS);
    this.#timer.unref();
  }

  /** A pass now, or right after the running one (settings changed); resolves with how many messages it pruned. Nothing before start(). */
  run(): Promise<number> {
    if (!this.#started) return Promise.resolve(0);
    return this.#passes.run();
  }

  /** Stops the timer and waits for a running pass to stop at its next batch. Safe to call twice. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#passes.close();
  }

  async #pass(): Promise<number> {
    const started = performance.now();
    const settings = this.#options.settings();
    const now = (this.#options.now ?? Date.now)();
    const own = new Map([...this.#options.rooms()].map((room) => [room.name, room.settings]));
    let pruned = 0;
    let rooms = 0;
    try {
      for await (const room of this.#roomsToWalk(settings, own)) {
        if (this.#passes.closed) break;
        const rule = retentionRule(settings, own.get(room), now);
        if (!rule) continue;
        const count = await this.#pruneRoom(room, rule);
        pruned += count;
        if (count > 0) rooms += 1;
      }
      if (this.#failing) this.#options.logger.info('history pruning works again');
      this.#failing = false;
    } catch (error) {
      this.counters.failures += 1;
      if (!this.#failing) this.#options.logger.warn({ err: error }, 'history pruning failed; trying again at the next pass');
      this.#failing = true;
    }
    this.counters.passes += 1;
    if (pruned > 0) this.#options.logger.info({ pruned, rooms, ms: Math.round(performance.now() - started) }, 'history pruned');
    return pruned;
  }

  /**
   * With a global rule, every room that has stored messages (a deleted room's leftovers too);
   * otherwise only the rooms whose own settings prune.
   */
  async *#roomsToWalk(settings: GlobalSettings, own: ReadonlyMap<string, RoomSettings>): AsyncGenerator<string> {
    if (!globalRetentionSet(settings)) {
      for (const [name, roomSettings] of own) if (roomRetentionSet(roomSettings)) yield name;
      return;
    }
    let after: string | undefined;
    for (;;) {
      const page = await this.#options.store.listMessageRooms(after, ROOM_PAGE);
      yield* page;
      if (page.length < ROOM_PAGE) return;
      after = page.at(-1);
    }
  }

  async #pruneRoom(room: string, rule: PruneRule): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.#options.store.pruneMessages(room, rule, this.#batchSize);
      if (count > 0 && total === 0) this.#options.logger.debug({ room, ...rule }, 'pruning room history');
      total += count;
      this.counters.pruned += count;
      // One store call per turn of the event loop: chat writes and history reads go in between.
      await nextTurn();
      if (count < this.#batchSize || this.#passes.closed) return total;
    }
  }
}
