/**
 * When a lost connection is tried again (the studio's stream, a viewer's chat socket). The studio's
 * case: when it publishes again after losing its stream, and when it stops trying. A rolling
 * restart is back in well under a second, so the first attempts come quickly; a server or network
 * that stays away gets an attempt every few seconds, and after a few minutes the broadcaster is
 * told plainly instead of a "Reconnecting…" that never ends.
 */
const FIRST_MS = 300;
const CAP_MS = 8_000;
/** Live this long again, the stream counts as sound: a later loss starts the quick attempts afresh. */
export const STEADY_MS = 30_000;
/** Trouble this long (from the first loss, through lives shorter than STEADY_MS), the studio gives up. */
export const GIVE_UP_MS = 5 * 60_000;

/** The wait before reconnect attempt `attempt` (1, 2, ...): 0.3 s, doubling to a cap of 8 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(CAP_MS, FIRST_MS * 2 ** Math.max(0, attempt - 1));
}

export interface NextAttempt {
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * One run of trouble: from a loss until the stream has stayed live STEADY_MS. A stream that
 * comes back only to drop again within seconds backs off on from where it was (it does not
 * hammer the server at 0.3 s forever) and counts towards giving up.
 */
export class ReconnectSchedule {
  #attempts = 0;
  #troubleSince: number | null = null;
  #liveSince: number | null = null;

  /** A fresh broadcast: no trouble yet. */
  reset(): void {
    this.#attempts = 0;
    this.#troubleSince = null;
    this.#liveSince = null;
  }

  /** The stream went live (again) at `now`. */
  live(now: number): void {
    this.#liveSince ??= now;
  }

  /** The stream was lost or an attempt failed at `now`: the next attempt, or null when it is time to give up. */
  next(now: number): NextAttempt | null {
    if (this.#liveSince !== null && now - this.#liveSince >= STEADY_MS) this.reset();
    this.#liveSince = null;
    this.#troubleSince ??= now;
    if (now - this.#troubleSince >= GIVE_UP_MS) return null;
    const attempt = ++this.#attempts;
    return { attempt, delayMs: reconnectDelay(attempt) };
  }
}
