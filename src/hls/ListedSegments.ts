/**
 * The segment names a room's playlists have listed lately: the only segments the room port
 * serves. ffmpeg lists a segment once it has closed it, so a listed segment is complete and
 * never changes; a name not listed (the next one, predictable, still being written) is never
 * served, whatever the ffmpeg version does with `-hls_flags temp_file`.
 *
 * Bounded: the oldest names go first. ffmpeg deletes a segment a few segments after it leaves
 * the live window (at most 30 + 3 per rendition, three renditions), long before it is dropped here.
 */
export class ListedSegments {
  static readonly CAPACITY = 256;
  readonly #names = new Set<string>();

  add(name: string): void {
    if (this.#names.has(name)) return;
    this.#names.add(name);
    if (this.#names.size > ListedSegments.CAPACITY) {
      const oldest = this.#names.values().next().value;
      if (oldest !== undefined) this.#names.delete(oldest);
    }
  }

  has(name: string): boolean {
    return this.#names.has(name);
  }

  clear(): void {
    this.#names.clear();
  }

  get size(): number {
    return this.#names.size;
  }
}
