/** How long after its last playlist request a player still counts as watching. */
export const VIEWER_WINDOW_MS = 15_000;
/** Bounds the memory a flood of fake "viewers" can take; the oldest entries go first. */
const MAX_TRACKED = 20_000;

/**
 * The recent HLS players of one room, keyed by address and user agent (players poll the
 * playlist every segment, so a player that stopped drops out after the window).
 */
export class HlsViewers {
  readonly #seen = new Map<string, { address: string; at: number }>();

  touch(address: string, userAgent: string | undefined, now = Date.now()): void {
    const key = `${address}|${userAgent ?? ''}`;
    this.#seen.delete(key);
    this.#seen.set(key, { address, at: now });
    if (this.#seen.size > MAX_TRACKED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }

  /**
   * Players seen in the window whose address has no chat connection: a page that both chats
   * and plays counts once (as a chat client), a bare player counts here.
   */
  countExcluding(chatAddresses: ReadonlySet<string>, now = Date.now()): number {
    let count = 0;
    for (const [key, entry] of this.#seen) {
      if (now - entry.at > VIEWER_WINDOW_MS) {
        this.#seen.delete(key);
        continue;
      }
      if (!chatAddresses.has(entry.address)) count += 1;
    }
    return count;
  }

  clear(): void {
    this.#seen.clear();
  }
}
