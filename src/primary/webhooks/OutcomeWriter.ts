import type { DeliveryOutcome } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';

interface Waiting {
  readonly outcome: DeliveryOutcome;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes attempts' outcomes with a group commit: one store write at a time, carrying every
 * outcome that arrived while the previous one ran. Each outcome is one durable row update; a
 * write per outcome (an fsync each, synchronous in SQLite) at a thousand deliveries a second
 * would hold the primary's event loop, and with it every chat commit, for most of each second.
 * On SQLite the write is not synced on its own either (inUnsyncedTransaction): the fsync per
 * batch held the loop about a fifth of the time at 1,000 deliveries/s (bench:webhooks).
 */
export class OutcomeWriter {
  readonly #store: WebhookStore;
  #waiting: Waiting[] = [];
  #writing = false;

  constructor(store: WebhookStore) {
    this.#store = store;
  }

  /** Resolves once the outcome is stored (with the others of its batch); rejects if that write failed. */
  write(outcome: DeliveryOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ outcome, resolve, reject });
      // The outcomes of the same turn of the event loop go together.
      if (!this.#writing && this.#waiting.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#waiting.length === 0) return;
    this.#writing = true;
    const batch = this.#waiting;
    this.#waiting = [];
    try {
      await this.#store.updateDeliveries(batch.map((w) => w.outcome));
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.#writing = false;
      if (this.#waiting.length > 0) void this.#flush();
    }
  }
}
