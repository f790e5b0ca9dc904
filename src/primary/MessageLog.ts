import type { Logger } from '../log/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { Store } from '../store/Store.js';
import type { ChatMessageRecord } from '../store/records.js';

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
  refused: number;
}

/**
 * The primary's hold on chat messages: workers hand messages over (the sender's ack waits for
 * this), and the log writes them to the store in batches. A message is never lost between the
 * hand-over and the store; while the store fails, messages stay held (bounded) and are retried.
 */
export class MessageLog {
  readonly counters: MessageLogCounters = { held: 0, written: 0, writeFailures: 0, refused: 0 };
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #maxHeld: number;
  #held: ChatMessageRecord[] = [];
  #writing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;
  #failing = false;

  constructor(options: MessageLogOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxHeld = options.maxHeld ?? 100_000;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 100);
    this.#timer.unref();
  }

  /** Takes messages from a worker. Throws BUFFER_FULL when the store has been failing too long. */
  hold(messages: readonly ChatMessageRecord[]): number {
    if (this.#held.length + messages.length > this.#maxHeld) {
      this.counters.refused += messages.length;
      throw new IpcError('BUFFER_FULL', `${this.#held.length} messages wait for the store; refusing more`);
    }
    this.#held.push(...messages);
    this.counters.held = this.#held.length;
    return messages.length;
  }

  /**
   * A page of history: the store's messages merged with the ones still held. While the store
   * cannot be read, the held messages (the newest ones) are served alone rather than nothing.
   */
  async history(room: string, before: string | undefined, limit: number): Promise<ChatMessageRecord[]> {
    const stored = await this.#store.listMessages(room, { before, limit }).catch((error: unknown) => {
      this.#logger.warn({ err: error, room }, 'history read failed; serving the held messages only');
      return [];
    });
    const held = this.#held.filter((m) => m.room === room && (before === undefined || m.id < before));
    if (held.length === 0) return stored;
    const byId = new Map<string, ChatMessageRecord>();
    for (const message of [...stored, ...held]) byId.set(message.id, message);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(-limit);
  }

  /** Drops held messages of a deleted room. */
  forgetRoom(room: string): void {
    this.#held = this.#held.filter((m) => m.room !== room);
    this.counters.held = this.#held.length;
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
    if (this.#held.length > 0) await this.flush();
    if (this.#held.length > 0) this.#logger.error({ held: this.#held.length }, 'messages could not be written before shutdown');
  }

  async #writeAll(): Promise<void> {
    while (this.#held.length > 0) {
      const batch = this.#held.slice(0, this.#batchSize);
      try {
        await this.#store.appendMessages(batch);
      } catch (error) {
        this.counters.writeFailures += 1;
        if (!this.#failing) this.#logger.error({ err: error, held: this.#held.length }, 'chat messages not written; holding them and retrying');
        this.#failing = true;
        return;
      }
      if (this.#failing) this.#logger.info({ held: this.#held.length }, 'store writable again; writing held messages');
      this.#failing = false;
      // Messages that arrived during the write were appended after the batch.
      const written = new Set(batch);
      this.#held = this.#held.filter((m) => !written.has(m));
      this.counters.written += batch.length;
      this.counters.held = this.#held.length;
    }
  }
}
