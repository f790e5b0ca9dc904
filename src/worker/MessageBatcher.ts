import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { ChatMessageRecord } from '../store/records.js';

interface Waiting {
  readonly record: ChatMessageRecord;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * How long after a batch leaves the primary may still take it. Later, the primary refuses it
 * (holding none of it) and the senders get NOT_PERSISTED: a sender waits at most about this
 * long, plus however long the primary takes to get to the request, for its answer.
 */
export const APPEND_DEADLINE_MS = 5_000;
const MAX_BATCH = 1_000;

/**
 * Sends chat messages to the primary in one IPC request per tick (for every room of the
 * worker), and resolves each message's promise once the primary holds it: one IPC round trip
 * per batch, never one per message.
 *
 * There is no timeout on this side: the primary decides (it holds the batch, or refuses it past
 * its deadline), and the senders are told exactly that. Only a closed channel fails a batch
 * without the primary's answer: the primary exited (and what it held but had not written went
 * with it), or it is stopping this worker (whose rooms, and their clients, were closed first).
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
      const deadline = Date.now() + APPEND_DEADLINE_MS;
      this.#channel.request('messages.append', { messages: batch.map((w) => w.record), deadline }, null).then(
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
