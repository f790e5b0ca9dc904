/** A worker that dies sooner than this after its start counts as part of a crash loop. */
export const CRASH_LOOP_WINDOW_MS = 10_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * How long to wait before replacing a dead worker. The first death is replaced at once (its
 * rooms must come back quickly); each further death within the crash-loop window doubles the
 * wait, up to 30 s, so a worker that cannot start does not spin the CPU.
 */
export function restartDelay(consecutiveQuickCrashes: number): number {
  if (consecutiveQuickCrashes <= 1) return 0;
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (consecutiveQuickCrashes - 2));
}
