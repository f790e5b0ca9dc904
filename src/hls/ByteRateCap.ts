import { TokenBucket } from '../kit/TokenBucket.js';

/**
 * A producer's bytes per second, capped: a token bucket holding `burstSeconds` of the rate, so a
 * stream may catch up after a stall but not keep above the rate. It also measures the rate since
 * the bucket was last full, which is what a producer over the cap really sent (for the log).
 */
export class ByteRateCap {
  readonly #bucket: TokenBucket;
  readonly #now: () => number;
  #fullSince: number;
  #last: number;
  #sinceFull = 0;

  constructor(bytesPerSecond: number, burstSeconds: number, now: () => number = performance.now.bind(performance)) {
    this.#bucket = new TokenBucket(bytesPerSecond, bytesPerSecond * burstSeconds, now);
    this.#now = now;
    this.#last = now();
    this.#fullSince = this.#last;
  }

  /** Counts `bytes` in; false when they take the producer above the cap. */
  take(bytes: number): boolean {
    this.#last = this.#now();
    if (this.#bucket.full) {
      this.#fullSince = this.#last;
      this.#sinceFull = 0;
    }
    this.#sinceFull += bytes;
    return this.#bucket.take(bytes);
  }

  /** Bytes per second since the bucket was last full (over at least one millisecond). */
  measuredBytesPerSecond(): number {
    return (this.#sinceFull * 1000) / Math.max(1, this.#last - this.#fullSince);
  }
}
