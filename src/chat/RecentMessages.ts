import type { ChatMessageRecord } from '../contracts/records.js';
import { insertById, pageBounds } from '../store/idOrder.js';
import { LIMITS } from './protocol.js';

export interface HistoryPage {
  /** Oldest first. */
  readonly messages: ChatMessageRecord[];
  /** True when older messages may exist. */
  readonly more: boolean;
}

const idOf = (message: ChatMessageRecord): string => message.id;

/**
 * How many recent messages a room's worker keeps: the welcome frame's `historySize`, and at
 * least the newest two history pages, so that a viewer who joins and scrolls back once (what
 * nearly every viewer does) never reaches the primary. At most LIMITS.maxHistoryRead (the
 * largest `historySize` an operator may set): 500 messages of at most 2,000 characters are
 * about 2 MB per room in the worst case, well under 100 KB in a usual chat.
 */
export function recentCapacity(historySize: number): number {
  return Math.min(LIMITS.maxHistoryRead, Math.max(historySize, 2 * LIMITS.historyPage));
}

/**
 * A room's newest messages, kept by its worker in id order: they fill welcome frames and answer
 * the history pages that fall within them without asking the primary. The worker knows it
 * holds the room's whole history when the primary returned fewer messages than it asked for,
 * until it drops one to stay within its capacity.
 */
export class RecentMessages {
  readonly #messages: ChatMessageRecord[] = [];
  #complete = false;

  /** Adds the newest `asked` messages of the room as the primary returned them. */
  load(messages: readonly ChatMessageRecord[], asked: number): void {
    for (const message of messages) insertById(this.#messages, message, idOf);
    this.#complete = messages.length < asked;
  }

  /** Adds a message the store has committed, keeping at most `capacity` (the newest). */
  add(message: ChatMessageRecord, capacity: number): void {
    insertById(this.#messages, message, idOf);
    if (this.#messages.length > capacity) {
      this.#messages.splice(0, this.#messages.length - capacity);
      this.#complete = false;
    }
  }

  /** Drops every message (the stored history was deleted): pages come from the primary until new ones arrive. */
  clear(): void {
    this.#messages.length = 0;
    this.#complete = false;
  }

  /** The newest `count` messages, oldest first. */
  newest(count: number): ChatMessageRecord[] {
    return count > 0 ? this.#messages.slice(-count) : [];
  }

  get size(): number {
    return this.#messages.length;
  }

  /**
   * The page of `size` messages older than `before` (the newest when absent), when these
   * messages answer it fully; undefined when it needs older messages than the worker holds.
   */
  page(before: string | undefined, size: number): HistoryPage | undefined {
    const { start, end } = pageBounds(this.#messages, before, size, idOf);
    const full = end - start === size;
    if (!full && !this.#complete) return undefined;
    return { messages: this.#messages.slice(start, end), more: start > 0 || !this.#complete };
  }
}
