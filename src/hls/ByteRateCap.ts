/**
 * A producer's bytes per second, capped: a token bucket holding `burstSeconds` of the rate, so a
 * stream may catch up after a stall but not keep above the rate. It also measures the rate since
 * the bucket was last full, which is what a producer over the cap really sent (for the log).
 */
export class ByteRateCap {
  readonly #bytesPerSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #fullSince: number;
  #sinceFull = 0;

  constructor(bytesPerSecond: number, burstSeconds: number, now: () => number = performance.now.bind(performance)) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#burst = bytesPerSecond * burstSeconds;
    this.#now = now;
    this.#tokens = this.#burst;
    this.#last = now();
    this.#fullSince = this.#last;
  }

  /** Counts `bytes` in; false when they take the producer above the cap. */
  take(bytes: number): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#bytesPerSecond);
    this.#last = now;
    if (this.#tokens >= this.#burst) {
      this.#fullSince = now;
      this.#sinceFull = 0;
    }
    this.#sinceFull += bytes;
    this.#tokens -= bytes;
    return this.#tokens >= 0;
  }

  /** Bytes per second since the bucket was last full (over at least one millisecond). */
  measuredBytesPerSecond(): number {
    return (this.#sinceFull * 1000) / Math.max(1, this.#last - this.#fullSince);
  }
}
