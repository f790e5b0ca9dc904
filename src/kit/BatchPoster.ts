/**
 * Collects items and hands them on in batches, at most one batch per `windowMs`: an item that
 * comes after a quiet window leaves at the next turn of the event loop (it waits for nothing
 * but the items of the same tick), a stream of items leaves one batch per window. For a message
 * channel whose every post costs a wake-up of the other side (a worker thread's port): at a
 * thousand items a second, posting once a tick is a post per item.
 */
export class BatchPoster<T> {
  readonly #windowMs: number;
  readonly #post: (batch: T[]) => void;
  #items: T[] = [];
  #scheduled = false;
  #lastPostAt = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number, post: (batch: T[]) => void) {
    this.#windowMs = windowMs;
    this.#post = post;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastPostAt + this.#windowMs - performance.now();
    if (wait <= 0) setImmediate(this.#flush);
    else setTimeout(this.#flush, wait);
  }

  /** Forgets the items not posted yet (their channel is gone). */
  clear(): void {
    this.#items = [];
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const batch = this.#items;
    if (batch.length === 0) return;
    this.#items = [];
    this.#lastPostAt = performance.now();
    this.#post(batch);
  };
}
