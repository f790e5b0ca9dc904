/** The wait before reconnect attempt `attempt` (1, 2, ...): quick at first (a rolling restart is back in well under a second), then doubling to a cap. */
const FIRST_MS = 300;
const CAP_MS = 8_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(CAP_MS, FIRST_MS * 2 ** Math.max(0, attempt - 1));
}
