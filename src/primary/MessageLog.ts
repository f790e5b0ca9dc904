import type { Logger } from '../log/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { Store } from '../store/Store.js';
import type { ChatMessageRecord } from '../store/records.js';
import { insertById, pageBounds } from '../store/idOrder.js';

export interface MessageLogOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** How often held messages are written to the store. */
  readonly flushMs?: number;
  /** Messages per store write. */
  readonly batchSize?: number;
  /** Held messages beyond which new ones are refused (the store is down for too long). */
  readonly maxHeld?: number;
}

export interface MessageLogCounters {
  held: number;
  written: number;
  writeFailures: number;
  /** Refused because too many waited for the store. */
  refused: number;
  /** Refused because they arrived after their deadline (the primary was too slow to take them). */
  expired: number;
}

/**
 * The primary's hold on chat messages: workers hand messages over (the sender's ack waits for
 * this), and the log writes them to the store in batches. A message is never lost between the
 * hand-over and the store; while the store fails, messages stay held (bounded) and are retried.
 */
export class MessageLog {
  readonly counters: MessageLogCounters = { held: 0, written: 0, writeFailures: 0, refused: 0, expired: 0 };
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #maxHeld: number;
  /** Held messages by room, in id order: a history page merges one page of them, never all. */
  readonly #held = new Map<string, ChatMessageRecord[]>();
  #heldCount = 0;
  #writing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;
  #failing = false;
  /** Batches are arriving after their deadline (logged once per episode). */
  #late = false;

  constructor(options: MessageLogOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxHeld = options.maxHeld ?? 100_000;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 100);
    this.#timer.unref();
  }

  /**
   * Takes messages from a worker. Throws DEADLINE_PASSED, holding none, when they arrive after
   * `deadline` (the worker then tells their senders they were not saved), and BUFFER_FULL when
   * the store has been failing too long.
   */
  hold(messages: readonly ChatMessageRecord[], deadline = Number.POSITIVE_INFINITY): number {
    const lateMs = Date.now() - deadline;
    if (lateMs > 0) {
      this.counters.expired += messages.length;
      if (!this.#late) this.#logger.warn({ lateMs, messages: messages.length }, 'chat messages arrived after their deadline; refused (their senders get NOT_PERSISTED)');
      this.#late = true;
      throw new IpcError('DEADLINE_PASSED', `${messages.length} messages arrived ${lateMs} ms after their deadline; not held`);
    }
    if (this.#late) this.#logger.info({ expired: this.counters.expired }, 'chat messages arrive in time again');
    this.#late = false;
    if (this.#heldCount + messages.length > this.#maxHeld) {
      this.counters.refused += messages.length;
      throw new IpcError('BUFFER_FULL', `${this.#heldCount} messages wait for the store; refusing more`);
    }
    for (const message of messages) {
      let room = this.#held.get(message.room);
      if (!room) this.#held.set(message.room, (room = []));
      if (insertById(room, message, idOf)) this.#heldCount += 1;
    }
    this.counters.held = this.#heldCount;
    return messages.length;
  }

  /**
   * A page of history: the store's page merged with the held messages of the same page. While
   * the store cannot be read, the held messages (the newest ones) are served alone rather than
   * nothing. Costs one page of work whatever the room's size. A read whose `deadline` has passed
   * (the worker stopped waiting while this process was busy) is skipped.
   */
  async history(room: string, before: string | undefined, limit: number, deadline = Number.POSITIVE_INFINITY): Promise<ChatMessageRecord[]> {
    if (Date.now() > deadline) throw new IpcError('DEADLINE_PASSED', 'history read asked for too long ago; skipped');
    const stored = await this.#store.listMessages(room, { before, limit }).catch((error: unknown) => {
      this.#logger.warn({ err: error, room }, 'history read failed; serving the held messages only');
      return [];
    });
    // Read after the store answered: a message written meanwhile has left the held ones.
    const heldRoom = this.#held.get(room) ?? [];
    const { start, end } = pageBounds(heldRoom, before, limit, idOf);
    if (start === end) return stored;
    return mergeNewest(stored, heldRoom.slice(start, end), limit);
  }

  /** Drops held messages of a deleted room. */
  forgetRoom(room: string): void {
    this.#heldCount -= this.#held.get(room)?.length ?? 0;
    this.#held.delete(room);
    this.counters.held = this.#heldCount;
  }

  /** Writes what is held, batch by batch. Concurrent calls share one pass. */
  flush(): Promise<void> {
    this.#writing ??= this.#writeAll().finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  /** Stops the timer and writes everything still held. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    if (this.#heldCount > 0) await this.flush();
    if (this.#heldCount > 0) this.#logger.error({ held: this.#heldCount }, 'messages could not be written before shutdown');
  }

  async #writeAll(): Promise<void> {
    while (this.#heldCount > 0) {
      const batch = this.#nextBatch();
      try {
        await this.#store.appendMessages(batch);
      } catch (error) {
        this.counters.writeFailures += 1;
        if (!this.#failing) this.#logger.error({ err: error, held: this.#heldCount }, 'chat messages not written; holding them and retrying');
        this.#failing = true;
        return;
      }
      if (this.#failing) this.#logger.info({ held: this.#heldCount }, 'store writable again; writing held messages');
      this.#failing = false;
      this.#release(batch);
      this.counters.written += batch.length;
      this.counters.held = this.#heldCount;
    }
  }

  /** Up to batchSize held messages, the oldest of each room first. */
  #nextBatch(): ChatMessageRecord[] {
    const batch: ChatMessageRecord[] = [];
    for (const messages of this.#held.values()) {
      batch.push(...messages.slice(0, this.#batchSize - batch.length));
      if (batch.length >= this.#batchSize) break;
    }
    return batch;
  }

  /** Drops written messages. Others may have arrived (or their room gone) during the write. */
  #release(written: readonly ChatMessageRecord[]): void {
    const rooms = new Set(written.map((message) => message.room));
    const done = new Set(written);
    for (const room of rooms) {
      const messages = this.#held.get(room);
      if (!messages) continue;
      const left = messages.filter((message) => !done.has(message));
      this.#heldCount -= messages.length - left.length;
      if (left.length > 0) this.#held.set(room, left);
      else this.#held.delete(room);
    }
  }
}

const idOf = (message: ChatMessageRecord): string => message.id;

/** The newest `limit` of two id-ordered pages, each id once, oldest first. */
function mergeNewest(a: readonly ChatMessageRecord[], b: readonly ChatMessageRecord[], limit: number): ChatMessageRecord[] {
  const merged: ChatMessageRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]!.id <= b[j]!.id) ? a[i++]! : b[j++]!;
    if (merged.at(-1)?.id !== next.id) merged.push(next);
  }
  return merged.slice(-limit);
}
