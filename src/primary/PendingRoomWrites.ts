import type { Logger } from '../log/createLogger.js';
import type { Store } from '../store/Store.js';
import type { RoomRecord } from '../store/records.js';

type PendingWrite = { readonly kind: 'save'; readonly record: RoomRecord } | { readonly kind: 'delete' };

/** Room writes held beyond this mean the store has been away too long: creates get 503 again. */
const MAX_PENDING = 10_000;
const RETRY_MS = 2_000;

/**
 * Room creates and deletes the store could not take (it is down): held in order, by room name
 * (a delete after a held create cancels it), and written when the store answers again.
 */
export class PendingRoomWrites {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #pending = new Map<string, PendingWrite>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), RETRY_MS);
    this.#timer.unref();
  }

  get size(): number {
    return this.#pending.size;
  }

  /** False when too many writes wait already (the caller refuses the change). */
  save(record: RoomRecord): boolean {
    return this.#hold(record.name, { kind: 'save', record });
  }

  delete(name: string): boolean {
    if (this.#pending.get(name)?.kind === 'save') {
      // Never stored: forgetting the held create is the whole delete.
      this.#pending.delete(name);
      return true;
    }
    return this.#hold(name, { kind: 'delete' });
  }

  /** Writes what is held, oldest first; stops at the first failure and tries again later. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #hold(name: string, write: PendingWrite): boolean {
    if (!this.#pending.has(name) && this.#pending.size >= MAX_PENDING) return false;
    this.#pending.delete(name);
    this.#pending.set(name, write);
    this.#logger.warn({ room: name, write: write.kind, pending: this.#pending.size }, 'store unavailable; room write held until it is back');
    return true;
  }

  async #flush(): Promise<void> {
    for (const [name, write] of this.#pending) {
      try {
        if (write.kind === 'save') await this.#store.saveRoom(write.record);
        else await this.#store.deleteRoom(name);
      } catch {
        return;
      }
      if (this.#pending.get(name) === write) this.#pending.delete(name);
      this.#logger.info({ room: name, write: write.kind, pending: this.#pending.size }, 'held room write stored');
    }
  }
}
