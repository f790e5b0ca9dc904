/** How long a reconnecting producer waits for its previous stream to finish before it is cut. */
const RECONNECT_WAIT_MS = 3_000;

/**
 * A producer reconnects while its previous stream is still finishing: waits for that stream to
 * settle, and cuts it (`kill`) when it takes longer than RECONNECT_WAIT_MS, then waits as long again.
 */
export async function awaitPreviousStream(previous: { settled(): Promise<void> }, kill: () => void): Promise<void> {
  const settled = previous.settled();
  const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  if ((await Promise.race([settled, timeout(RECONNECT_WAIT_MS)])) !== 'timeout') return;
  kill();
  await Promise.race([settled, timeout(RECONNECT_WAIT_MS)]);
}
