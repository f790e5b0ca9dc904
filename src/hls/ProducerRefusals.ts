/** A producer whose stream a moderator or operator stopped, refused until `until`. */
export interface Refusal {
  readonly until: number;
  readonly message: string;
}

/** Kept bounded: stops are rare (rate-limited moderators, operators), and expired ones go first. */
const MAX_REFUSALS = 1_000;

/**
 * The producers a room refuses for a while after their stream was stopped: OBS and most
 * encoders reconnect by themselves, and a stopped stream must not come straight back. Pure:
 * time comes in.
 */
export class ProducerRefusals {
  readonly #forMs: number;
  readonly #refused = new Map<string, Refusal>();

  constructor(forMs: number) {
    this.#forMs = forMs;
  }

  refuse(producer: string, message: string, now: number): void {
    if (this.#forMs <= 0) return;
    this.#prune(now);
    this.#refused.delete(producer);
    this.#refused.set(producer, { until: now + this.#forMs, message });
    if (this.#refused.size > MAX_REFUSALS) this.#refused.delete(this.#refused.keys().next().value!);
  }

  /** The refusal in force for `producer`, if any. */
  of(producer: string, now: number): Refusal | null {
    const refusal = this.#refused.get(producer);
    if (refusal === undefined) return null;
    if (refusal.until > now) return refusal;
    this.#refused.delete(producer);
    return null;
  }

  #prune(now: number): void {
    for (const [producer, refusal] of this.#refused) if (refusal.until <= now) this.#refused.delete(producer);
  }
}
