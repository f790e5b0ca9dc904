const EMPTY = Buffer.alloc(0);
/** The first allocation: a MediaRecorder's first chunk or a few MPEG-TS packets fit without growing. */
const MIN_CAPACITY = 16 * 1024;

/**
 * Bytes held for the sniffer and while ffmpeg starts, in one buffer that doubles as it fills:
 * appending costs amortised O(1) per byte however small the chunks, and the sniffer reads the
 * bytes without a copy. (A list concatenated on every chunk costs quadratic time: one-byte
 * WebSocket frames or HTTP chunks froze a worker for tens of seconds.)
 */
export class HeldBytes {
  #buffer = EMPTY;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(chunk: Buffer): void {
    const needed = this.#length + chunk.length;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, MIN_CAPACITY));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    chunk.copy(this.#buffer, this.#length);
    this.#length = needed;
  }

  /** The bytes held, without a copy; valid until the next append. */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /** Hands the bytes over and holds nothing from then on. */
  take(): Buffer {
    const held = this.view();
    this.#buffer = EMPTY;
    this.#length = 0;
    return held;
  }
}
