import { randomBytes } from 'node:crypto';

/**
 * Message ids sort by time as plain strings (the store pages history with `id < before`):
 * 9 base-36 digits of milliseconds (good until the year 5188), then a per-process sequence and
 * a random process tag so two workers never collide.
 */
export class MessageIdGenerator {
  readonly #tag = randomBytes(3).toString('hex');
  #lastMs = 0;
  #seq = 0;

  next(now: number = Date.now()): { id: string; ts: number } {
    // Ids must grow even if the clock steps back.
    const ms = Math.max(now, this.#lastMs);
    this.#seq = ms === this.#lastMs ? this.#seq + 1 : 0;
    this.#lastMs = ms;
    const id = ms.toString(36).padStart(9, '0') + this.#seq.toString(36).padStart(4, '0') + this.#tag;
    return { id, ts: ms };
  }
}
