import type { Logger } from '../../kit/createLogger.js';
import type { DueDelivery, OutboxEvent } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';

/** Events of no room keep their order among themselves, in a lane of their own. */
export const NO_ROOM = '\u0000';

export function laneOf(event: OutboxEvent): string {
  return event.room ?? NO_ROOM;
}

/** What the backlog needs of the queue it feeds. */
export interface BacklogHost {
  readonly id: string;
  readonly store: Pick<WebhookStore, 'listDue' | 'countDue'>;
  readonly logger: Logger;
  /** Rows read per page (the memory bound). */
  readonly pageSize: number;
  /** The delivery is held in memory already. */
  held(eventId: string): boolean;
  /** How many deliveries are held in memory. */
  heldCount(): number;
  /** Takes a delivery into memory; false when its lane or the memory is full. */
  take(due: DueDelivery): boolean;
  /** Whether a pass could take something now (`rooms`: the lanes with deliveries in the store only, or all). */
  worthAPass(rooms: ReadonlySet<string> | 'all'): boolean;
}

/** How long a failed read of the store waits before the next (MongoDB away), at first and at most. */
const PAGE_RETRY_MS = 1_000;
const PAGE_RETRY_MAX_MS = 30_000;
/** Passes start at most this often: one that took nothing (a stuck room's lane is full) is not run again at every settle. */
const PASS_MIN_MS = 100;
/** Rows one pass reads at most, in pages: the rest waits for the next pass. */
const PASS_PAGES = 10;

/**
 * The deliveries of one endpoint that wait in the store only, by lane (room). A lane with some
 * there takes no new event into memory (order per room), the others go on. A pass reads the
 * endpoint's due deliveries oldest first, page after page, and hands each to the queue unless its
 * lane is full (then that lane takes nothing more in the pass, so its order holds); a lane whose
 * store-only deliveries all came back, with none turned away meanwhile, takes new events again.
 * So one room whose receiver keeps refusing its head fills only its own share of memory: the
 * other rooms' deliveries are not held behind it.
 */
export class StoreBacklog {
  readonly #host: BacklogHost;
  /** Every lane may have deliveries in the store only (a start, a replay): until a whole pass says which. */
  #all = false;
  readonly #lanes = new Set<string>();
  #paging = false;
  #missedLanes = new Set<string>();
  #missedAll = false;
  /** Deliveries settled while a page was read: a store that answers later (MongoDB) may still list them. */
  #settledWhilePaging: Set<string> | null = null;
  #storeOnly = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastPassAt = 0;
  #closed = false;

  constructor(host: BacklogHost) {
    this.#host = host;
  }

  get spilled(): boolean {
    return this.#all || this.#lanes.size > 0;
  }

  /**
   * Deliveries in the store only, not read back yet: an estimate (the store holds them), from the
   * store's count when everything may be there (a start, a replay), then counting those turned
   * away and those read back.
   */
  get storeOnly(): number {
    return this.#storeOnly;
  }

  /** Whether `lane` has deliveries in the store only: its new events must wait there too. */
  holds(lane: string): boolean {
    return this.#all || this.#lanes.has(lane);
  }

  /** A new event of `lane` stays in the store only. */
  turnAway(lane: string): void {
    this.#lanes.add(lane);
    this.#storeOnly += 1;
    if (this.#paging) this.#missedLanes.add(lane);
  }

  /** The store may hold due deliveries of any lane (start-up, a replay, the endpoint enabled again). */
  loadAll(): void {
    this.#all = true;
    if (this.#paging) this.#missedAll = true;
    void this.#count();
    this.refill();
  }

  /** The store's count of what is due, less what memory holds: the rest waits in the store only. */
  async #count(): Promise<void> {
    let due: number;
    try {
      due = await this.#host.store.countDue(this.#host.id);
    } catch {
      // The estimate stays as it was; the passes log a store that cannot be read, and retry.
      return;
    }
    // Not spilled any more: a pass found everything in memory meanwhile.
    if (this.#closed || !this.spilled) return;
    this.#storeOnly = Math.max(0, due - this.#host.heldCount());
  }

  settled(eventId: string): void {
    this.#settledWhilePaging?.add(eventId);
  }

  /** Starts a pass when there is something to read and room to take it. */
  refill(): void {
    if (!this.spilled || this.#paging || this.#closed || this.#timer !== undefined) return;
    if (!this.#host.worthAPass(this.#all ? 'all' : this.#lanes)) return;
    const wait = this.#lastPassAt + PASS_MIN_MS - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.refill();
      }, wait).unref();
      return;
    }
    void this.#pass();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #pass(): Promise<void> {
    this.#paging = true;
    this.#lastPassAt = Date.now();
    this.#missedLanes = new Set();
    this.#missedAll = false;
    const settled = (this.#settledWhilePaging = new Set());
    const all = this.#all;
    const blocked = new Set<string>();
    const { pageSize } = this.#host;
    let after: string | undefined;
    let complete = false;
    let took = 0;
    try {
      for (let pages = 0; pages < PASS_PAGES && !complete; pages += 1) {
        const page = await this.#host.store.listDue(this.#host.id, after, pageSize);
        if (this.#closed) return;
        for (const due of page) {
          const lane = laneOf(due.event);
          if (this.#host.held(due.event.id) || settled.has(due.event.id) || blocked.has(lane)) continue;
          // A lane held whole in memory has nothing in the store to take (a row of it is one just settling).
          if (!all && !this.#lanes.has(lane)) continue;
          if (!this.#host.take(due)) {
            blocked.add(lane);
            continue;
          }
          took += 1;
          this.#storeOnly = Math.max(0, this.#storeOnly - 1);
        }
        complete = page.length < pageSize;
        after = page.at(-1)?.event.id;
      }
      this.#failures = 0;
    } catch (error) {
      this.#failed(error);
      return;
    } finally {
      this.#paging = false;
      this.#settledWhilePaging = null;
    }
    this.#settle(complete, blocked);
    if (took > 0) this.refill();
  }

  /** After a pass: which lanes still have deliveries in the store only. */
  #settle(complete: boolean, blocked: ReadonlySet<string>): void {
    if (!complete) {
      // Rows past the pages read are unknown: nothing is known to be back.
      for (const lane of blocked) this.#lanes.add(lane);
      for (const lane of this.#missedLanes) this.#lanes.add(lane);
      return;
    }
    if (this.#missedAll) return;
    this.#all = false;
    this.#lanes.clear();
    for (const lane of blocked) this.#lanes.add(lane);
    for (const lane of this.#missedLanes) this.#lanes.add(lane);
    if (this.#lanes.size === 0) this.#storeOnly = 0;
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    // Backs off to PAGE_RETRY_MAX_MS through an outage, logging the first failure and then every tenth.
    this.#failures += 1;
    if (this.#failures % 10 === 1) this.#host.logger.warn({ err: error, failures: this.#failures }, 'webhook deliveries not read from the store; trying again');
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refill();
    }, Math.min(PAGE_RETRY_MS * 2 ** (this.#failures - 1), PAGE_RETRY_MAX_MS)).unref();
  }
}
