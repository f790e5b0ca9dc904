/** The retry delays (docs/integrations.md#retries): exponential, capped, with full jitter. */
export interface RetryPolicy {
  /** The bound of the first retry's delay; each further attempt doubles it... */
  readonly baseMs: number;
  /** ...up to this bound. */
  readonly maxMs: number;
  /** A delivery still failing this long after its event is dead. */
  readonly forMs: number;
}

/**
 * How long to wait after the `attempts`-th failed attempt: a uniform draw in [0, bound], the
 * bound doubling from `baseMs` up to `maxMs` ("full jitter": receivers coming back from an outage
 * are not hit by every server's retries at the same instant).
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(40, Math.max(0, attempts - 1)));
  return Math.round(random() * bound);
}

/** Whether a delivery of an event raised at `eventAt` is given up at `now` (after a failure). */
export function retriesExhausted(eventAt: number, now: number, policy: RetryPolicy): boolean {
  return now - eventAt >= policy.forMs;
}
