/**
 * How many streams one worker encodes at once (MAX_ENCODES_PER_WORKER). Encoding costs up to
 * most of a core per stream, copying almost nothing, so only encodes take a slot: a producer
 * whose stream would need one past the limit is refused (ENCODER_BUSY), copied streams never.
 */
export class EncoderSlots {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the encoder limit must be a positive integer');
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  /** A slot, as a release function (safe to call twice), or null when every slot is taken. */
  acquire(): (() => void) | null {
    if (this.#used >= this.limit) return null;
    this.#used += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= 1;
    };
  }
}
