/**
 * The floor under a streaming ingest's rate: each window in which the server kept reading must
 * bring at least `minBytesPerSecond`. A window in which the server stopped reading (backpressure:
 * ffmpeg is slower than the producer) does not count against the producer.
 */
export class RateFloor {
  readonly #minBytesPerSecond: number;
  readonly #now: () => number;
  #start: number;
  #bytes = 0;
  #heldUp = false;

  constructor(minBytesPerSecond: number, now: () => number = performance.now.bind(performance)) {
    this.#minBytesPerSecond = minBytesPerSecond;
    this.#now = now;
    this.#start = now();
  }

  add(bytes: number): void {
    this.#bytes += bytes;
  }

  /** The server stopped reading: this window does not count. */
  holdUp(): void {
    this.#heldUp = true;
  }

  /**
   * Ends the window and starts the next (held up already when the server is `paused` now).
   * Returns the window's bytes per second when it fell below the floor, null otherwise.
   */
  endWindow(paused: boolean): number | null {
    const now = this.#now();
    const rate = (this.#bytes * 1000) / Math.max(1, now - this.#start);
    const below = !this.#heldUp && !paused && rate < this.#minBytesPerSecond;
    this.#start = now;
    this.#bytes = 0;
    this.#heldUp = paused;
    return below ? rate : null;
  }
}
