import type { Logger } from '../../kit/createLogger.js';
import type { DueDelivery, OutboxEntry, OutboxEvent, WebhookEndpointRecord } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';
import { EndpointQueue } from './EndpointQueue.js';
import { OutcomeWriter } from './OutcomeWriter.js';
import type { RetryPolicy } from './retrySchedule.js';
import { WebhookSender, type AttemptSender } from './WebhookSender.js';
import type { TargetRules } from './webhookTarget.js';

export interface WebhookDispatcherOptions {
  readonly store: WebhookStore;
  readonly logger: Logger;
  /** The endpoint as it is now (enabled, URL, secrets), or undefined once deleted. */
  readonly endpoint: (id: string) => WebhookEndpointRecord | undefined;
  readonly concurrency: number;
  /** Deliveries each endpoint holds in memory at most (the rest are paged in from the store). */
  readonly maxInMemory: number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly rules: TargetRules;
  /** The clock (tests move it to run the retry schedule fast). */
  readonly now?: () => number;
  readonly random?: () => number;
  /** An endpoint answered 410 Gone. */
  readonly gone: (id: string) => void;
  /** Makes an endpoint's sender (`concurrency` connections at most); in this thread by default. */
  readonly senders?: (endpoint: string, concurrency: number, timeoutMs: number) => AttemptSender;
}

export interface WebhookCounters {
  delivered: number;
  /** Attempts that failed (each retry counts). */
  failed: number;
  dead: number;
}

/**
 * Delivers the outbox in the primary: one EndpointQueue per enabled endpoint. New events come
 * in right after they are stored (no polling: the first attempt follows the write at once); at
 * start, each endpoint's queue reads what the store still holds as due (a page at a time, within
 * its memory bound), so a primary killed mid-delivery sends them again.
 */
export class WebhookDispatcher {
  readonly counters: WebhookCounters = { delivered: 0, failed: 0, dead: 0 };
  /** Milliseconds from events to their first attempts, the latest ones (for the p99 in metrics and the bench). */
  readonly firstAttemptLags: number[] = [];
  readonly #o: WebhookDispatcherOptions;
  readonly #queues = new Map<string, EndpointQueue>();
  readonly #now: () => number;
  readonly #outcomes: OutcomeWriter;
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#outcomes = new OutcomeWriter(options.store);
  }

  /** Reads what the store holds as due for the endpoint (start-up, enabled again); new events wait behind it. */
  load(id: string): void {
    this.#queueOf(id)?.load();
  }

  /** Events just stored: their first attempts start now. */
  dispatch(entries: readonly OutboxEntry[]): void {
    for (const { event, endpoints } of entries) {
      for (const endpoint of endpoints) {
        const due: DueDelivery = {
          event,
          delivery: { endpoint, event: event.id, type: event.type, room: event.room, status: 'pending', attempts: 0, nextAttemptAt: event.timestamp, lastStatus: null, lastError: null, createdAt: event.timestamp, updatedAt: event.timestamp },
        };
        this.#queue(due);
      }
    }
  }

  /** A replay was stored: what it selected is due now, held here or read back from the store. */
  replayed(id: string, selected: (event: OutboxEvent) => boolean): void {
    const queue = this.#queueOf(id);
    queue?.hurry(selected);
    queue?.load();
  }

  /** The endpoint was disabled or deleted: its queue goes (what is due stays in the store for a re-enable). */
  drop(id: string): void {
    this.#queues.get(id)?.close();
    this.#queues.delete(id);
  }

  /** Per endpoint: deliveries waiting and the age of the oldest (ms). */
  backlog(): Array<{ endpoint: string; depth: number; oldestAgeMs: number; inMemory: number; inMemoryPeak: number }> {
    const now = this.#now();
    return [...this.#queues].map(([endpoint, queue]) => {
      const oldest = queue.oldest();
      const { now: inMemory, peak } = queue.inMemory;
      return { endpoint, depth: queue.depth, oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest), inMemory, inMemoryPeak: peak };
    });
  }

  close(): void {
    this.#closed = true;
    for (const id of [...this.#queues.keys()]) this.drop(id);
  }

  #queue(due: DueDelivery): void {
    this.#queueOf(due.delivery.endpoint)?.push(due.event, due.delivery.attempts, due.delivery.status === 'failed' ? (due.delivery.nextAttemptAt ?? 0) : 0);
  }

  /** The enabled endpoint's queue, made on first use. */
  #queueOf(id: string): EndpointQueue | undefined {
    if (this.#closed || !this.#o.endpoint(id)?.enabled) return undefined;
    let queue = this.#queues.get(id);
    if (!queue) {
      queue = this.#makeQueue(id);
      this.#queues.set(id, queue);
    }
    return queue;
  }

  #makeQueue(id: string): EndpointQueue {
    return new EndpointQueue({
      id,
      endpoint: () => this.#o.endpoint(id),
      store: this.#o.store,
      outcomes: this.#outcomes,
      sender: (this.#o.senders ?? ((_id, concurrency, timeoutMs) => new WebhookSender(concurrency, timeoutMs)))(id, this.#o.concurrency, this.#o.timeoutMs),
      logger: this.#o.logger.child({ endpoint: id }),
      concurrency: this.#o.concurrency,
      maxInMemory: this.#o.maxInMemory,
      retry: this.#o.retry,
      rules: this.#o.rules,
      now: this.#now,
      ...(this.#o.random ? { random: this.#o.random } : {}),
      observe: (outcome, lag) => {
        this.counters[outcome] += 1;
        if (lag !== null) {
          this.firstAttemptLags.push(lag);
          if (this.firstAttemptLags.length > 10_000) this.firstAttemptLags.splice(0, 5_000);
        }
      },
      gone: () => this.#o.gone(id),
    });
  }
}
