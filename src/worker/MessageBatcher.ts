import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { ChatMessageRecord } from '../store/records.js';

interface Waiting {
  readonly record: ChatMessageRecord;
  resolve(): void;
  reject(error: Error): void;
}

/** Longest a batch waits for the primary's answer before its senders get NOT_PERSISTED. */
const APPEND_TIMEOUT_MS = 5_000;
const MAX_BATCH = 1_000;

/**
 * Sends chat messages to the primary in one IPC request per tick (for every room of the
 * worker), and resolves each message's promise once the primary holds it: one IPC round trip
 * per batch, never one per message.
 */
export class MessageBatcher {
  readonly #channel: WorkerSideChannel;
  #queue: Waiting[] = [];
  #scheduled = false;

  constructor(channel: WorkerSideChannel) {
    this.#channel = channel;
  }

  persist(record: ChatMessageRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, MAX_BATCH);
      this.#queue = this.#queue.slice(MAX_BATCH);
      this.#channel.request('messages.append', { messages: batch.map((w) => w.record) }, APPEND_TIMEOUT_MS).then(
        () => {
          for (const waiting of batch) waiting.resolve();
        },
        (error: Error) => {
          for (const waiting of batch) waiting.reject(error);
        },
      );
    }
  }
}
