import type { WorkerSideChannel } from '../ipc/endpoints.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { ChatMessageRecord } from '../contracts/records.js';

interface Waiting {
  readonly record: ChatMessageRecord;
  resolve(first: ChatMessageRecord | null): void;
  reject(error: Error): void;
}

/**
 * How long after a batch leaves the primary may still take it. Later, the primary refuses it
 * (taking none of it) and the senders get NOT_PERSISTED: a sender waits at most about this long,
 * plus however long the primary takes to get to the request and commit it, for its answer.
 */
export const APPEND_DEADLINE_MS = 5_000;
const MAX_BATCH = 1_000;

/**
 * Sends chat messages to the primary in one IPC request per tick (for every room of the
 * worker), and resolves each message's promise once the store has committed it: one IPC round
 * trip per batch, never one per message.
 *
 * There is no timeout on this side: the primary decides (it commits the batch, or refuses it
 * past its deadline, or the commit fails), and the senders are told exactly that. Only a closed
 * channel fails a batch without the primary's answer: the primary exited (a batch it had not
 * committed yet was not stored; one it had is stored, and a resend with the same ref gets its
 * first acknowledgement), or it is stopping this worker (whose rooms, and their clients, were
 * closed first).
 */
export class MessageBatcher {
  readonly #channel: WorkerSideChannel;
  #queue: Waiting[] = [];
  #scheduled = false;

  constructor(channel: WorkerSideChannel) {
    this.#channel = channel;
  }

  /** Resolves with null once committed, or with the first message when this one resent its ref. */
  persist(record: ChatMessageRecord): Promise<ChatMessageRecord | null> {
    return new Promise<ChatMessageRecord | null>((resolve, reject) => {
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
        ({ answers }) =>
          batch.forEach((waiting, i) => {
            const answer = answers[i];
            if (answer?.stored) waiting.resolve(answer.first ?? null);
            else waiting.reject(new IpcError('FAILED', answer?.reason ?? 'no answer for this message'));
          }),
        (error: Error) => {
          for (const waiting of batch) waiting.reject(error);
        },
      );
    }
  }
}
