import { randomBytes } from 'node:crypto';
import { idTimePrefix } from '../contracts/timeOrderedIds.js';

/**
 * Message ids sort by time as plain strings (the store pages history with `id < before`):
 * the milliseconds (idTimePrefix), then a per-process sequence and
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
    const id = idTimePrefix(ms) + this.#seq.toString(36).padStart(4, '0') + this.#tag;
    return { id, ts: ms };
  }
}
