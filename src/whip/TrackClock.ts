/**
 * One RTP track's timestamps on the receiver's clock (ms). RTP timestamps start at a random
 * value per track, so audio and video are put on one timeline by their arrival: the offset is
 * the smallest (arrival - media time) seen until it is frozen, i.e. the packet that waited least
 * (a big keyframe paced out over many packets does not skew it). Sender reports would give exact
 * lip sync, but a browser sends its first about a second in, and a live start cannot wait that
 * long; arrival sync is off by the difference of the two tracks' least delays (a few ms).
 */
export class TrackClock {
  readonly #clockRate: number;
  #last: number | null = null;
  /** The last timestamp, unwrapped past 2^32, in clock ticks since the first one. */
  #extended = 0;
  #offset = Infinity;
  #frozen = false;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** A packet with this RTP timestamp arrived at `arrivalMs`. */
  observe(timestamp: number, arrivalMs: number): void {
    const media = this.#mediaMs(timestamp);
    if (!this.#frozen) this.#offset = Math.min(this.#offset, arrivalMs - media);
  }

  /** The offset stays as it is from now on: the stream's timeline has begun. */
  freeze(): void {
    this.#frozen = true;
  }

  /** The receiver-clock time (ms) of a timestamp already observed (or near one). */
  time(timestamp: number): number {
    return this.#mediaMs(timestamp) + this.#offset;
  }

  #mediaMs(timestamp: number): number {
    const value = timestamp >>> 0;
    // The signed 32-bit step from the last timestamp: a wrap past 2^32 is a small step forward.
    if (this.#last !== null) this.#extended += (value - this.#last) | 0;
    this.#last = value;
    return (this.#extended * 1000) / this.#clockRate;
  }
}
