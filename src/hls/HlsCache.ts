/**
 * The HLS files a worker served lately, in memory, so a thousand players polling a playlist
 * cost no file-system call each. Keys are `<room>/<file>`. Segments never change under their
 * name (the stream id is in it); playlists are dropped from the cache the moment ffmpeg
 * rewrites them (the transcoder's folder watch says so). Least recently used entries go first
 * when the byte budget is spent.
 */
export class HlsCache {
  readonly #budgetBytes: number;
  readonly #maxEntryBytes: number;
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;
  /** Grows at every invalidation, so a read that raced one is not cached stale. */
  #epoch = 0;

  /**
   * A 1 s segment at 8 Mbit/s is 1 MiB: live segments fit under the entry bound. Bigger files
   * (long segments, a high bitrate) are streamed from disk, never read whole.
   */
  constructor(budgetBytes = 64 * 1024 * 1024, maxEntryBytes = 2 * 1024 * 1024) {
    this.#budgetBytes = budgetBytes;
    this.#maxEntryBytes = maxEntryBytes;
  }

  /** Files larger than this are not cached (and not read whole to serve them). */
  get maxEntryBytes(): number {
    return this.#maxEntryBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Take before reading a file; pass to set() after, which skips the entry if anything was invalidated since. */
  get epoch(): number {
    return this.#epoch;
  }

  get(key: string): Buffer | undefined {
    const body = this.#entries.get(key);
    if (body) {
      // Most recently used goes last.
      this.#entries.delete(key);
      this.#entries.set(key, body);
    }
    return body;
  }

  set(key: string, body: Buffer, epoch: number): void {
    if (body.length > this.#maxEntryBytes || epoch !== this.#epoch) return;
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= previous.length;
    }
    this.#entries.set(key, body);
    this.#bytes += body.length;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.#budgetBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.length;
    }
  }

  invalidate(key: string): void {
    this.#epoch += 1;
    const body = this.#entries.get(key);
    if (!body) return;
    this.#entries.delete(key);
    this.#bytes -= body.length;
  }

  /** Drops every file of a room (a new stream starts, or the room closes). */
  clearRoom(room: string): void {
    this.#epoch += 1;
    const prefix = `${room}/`;
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.invalidate(key);
  }
}
