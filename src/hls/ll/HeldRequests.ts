import type { ServerResponse } from 'node:http';

export interface HeldLimits {
  /** Requests one address may have held at once (a player holds about two: its playlist and the hinted part). */
  readonly perAddress: number;
  /** Requests held at once in the room. */
  readonly perRoom: number;
}

/** Why a request could not be held. */
export type HoldRefusal = 'address' | 'room';

interface Waiter {
  readonly address: string;
  readonly ready: () => boolean;
  readonly answer: () => void;
  readonly expire: () => void;
  /** Date.now() past which it is answered by `expire`. */
  readonly deadline: number;
  readonly res: ServerResponse;
}

/** How often deadlines are checked: one timer per room, not one per request (players hold ten a second each). */
const SWEEP_MS = 250;

/**
 * The blocking requests of one room (LL-HLS playlist reloads and hinted parts), held until what
 * they ask for exists. Each part added wakes them (`recheck`); a request is answered at most
 * once, by its readiness, its deadline, or the room going away; a client that hangs up frees
 * its place at once. Bounded per address and per room, so a flood of held requests costs a
 * refusal, not memory.
 */
export class HeldRequests {
  readonly #limits: HeldLimits;
  readonly #waiters = new Set<Waiter>();
  readonly #perAddress = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;

  constructor(limits: HeldLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#waiters.size;
  }

  /**
   * Holds `res` until `ready()` (then `answer()`), or about `timeoutMs` (then `expire()`). Returns
   * null when held, or why it may not be.
   */
  hold(res: ServerResponse, address: string, timeoutMs: number, ready: () => boolean, answer: () => void, expire: () => void): HoldRefusal | null {
    if ((this.#perAddress.get(address) ?? 0) >= this.#limits.perAddress) return 'address';
    if (this.#waiters.size >= this.#limits.perRoom) return 'room';
    const waiter: Waiter = { address, ready, answer, expire, res, deadline: Date.now() + timeoutMs };
    this.#waiters.add(waiter);
    this.#sweep ??= setInterval(() => this.#expire(Date.now()), SWEEP_MS).unref();
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    res.once('close', () => this.#release(waiter));
    return null;
  }

  /** Something changed: every request whose answer exists now gets it. */
  recheck(): void {
    for (const waiter of this.#waiters) {
      if (waiter.ready() && this.#release(waiter)) waiter.answer();
    }
  }

  /** Answers every held request now with `answer` (the stream went away). */
  releaseAll(answer: (res: ServerResponse) => void): void {
    for (const waiter of [...this.#waiters]) if (this.#release(waiter)) answer(waiter.res);
  }

  /** Answers the requests whose deadline passed (to the sweep's precision). */
  #expire(now: number): void {
    for (const waiter of this.#waiters) if (now >= waiter.deadline && this.#release(waiter)) waiter.expire();
  }

  #release(waiter: Waiter): boolean {
    if (!this.#waiters.delete(waiter)) return false;
    if (this.#waiters.size === 0) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
    const count = (this.#perAddress.get(waiter.address) ?? 1) - 1;
    if (count === 0) this.#perAddress.delete(waiter.address);
    else this.#perAddress.set(waiter.address, count);
    return true;
  }
}
