/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days): a longer one fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface TimerAt {
  clear(): void;
}

/**
 * Calls `fire` at the epoch time `at` (at once, on the next turn, when it has passed), however
 * far ahead: a delay past setTimeout's limit is waited in steps. The timer does not keep the
 * process alive.
 */
export function timerAt(at: number, fire: () => void, now: () => number = Date.now): TimerAt {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = at - now();
    timer = setTimeout(delay > MAX_DELAY_MS ? arm : fire, Math.max(0, Math.min(delay, MAX_DELAY_MS)));
    timer.unref();
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
