/** A token bucket: `burst` tokens, refilled at `rate` per second. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private rate: number,
    private burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `cost` tokens if there are that many; false (and nothing taken) otherwise. */
  take(cost = 1): boolean {
    if (this.#refill() < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Whether the bucket is full now: nothing was taken for as long as a refill takes. */
  get full(): boolean {
    return this.#refill() >= this.burst;
  }

  #refill(): number {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    return this.#tokens;
  }

  /** Applies new limits (a changed setting) without refilling the bucket. */
  reconfigure(rate: number, burst: number): void {
    this.rate = rate;
    this.burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }
}
