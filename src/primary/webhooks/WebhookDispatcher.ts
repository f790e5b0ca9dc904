import type { Logger } from '../../kit/createLogger.js';
import type { DueDelivery, OutboxEntry, WebhookEndpointRecord } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';
import { EndpointQueue } from './EndpointQueue.js';
import type { RetryPolicy } from './retrySchedule.js';
import { WebhookSender } from './WebhookSender.js';
import type { TargetRules } from './webhookTarget.js';

export interface WebhookDispatcherOptions {
  readonly store: WebhookStore;
  readonly logger: Logger;
  /** The endpoint as it is now (enabled, URL, secrets), or undefined once deleted. */
  readonly endpoint: (id: string) => WebhookEndpointRecord | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly rules: TargetRules;
  /** The clock (tests move it to run the retry schedule fast). */
  readonly now?: () => number;
  readonly random?: () => number;
  /** An endpoint answered 410 Gone. */
  readonly gone: (id: string) => void;
}

export interface WebhookCounters {
  delivered: number;
  /** Attempts that failed (each retry counts). */
  failed: number;
  dead: number;
}

/** Pages of the start-up load. */
const LOAD_PAGE = 1_000;

/**
 * Delivers the outbox in the primary: one EndpointQueue per enabled endpoint. New events come
 * in right after they are stored (no polling: the first attempt follows the write at once); at
 * start, every delivery the store still holds as due is loaded, so a primary killed mid-delivery
 * sends them again.
 */
export class WebhookDispatcher {
  readonly counters: WebhookCounters = { delivered: 0, failed: 0, dead: 0 };
  /** Milliseconds from events to their first attempts, the latest ones (for the p99 in metrics and the bench). */
  readonly firstAttemptLags: number[] = [];
  readonly #o: WebhookDispatcherOptions;
  readonly #queues = new Map<string, EndpointQueue>();
  readonly #now: () => number;
  /** Entries that arrived while the start-up load ran: queued after it, so order per room holds. */
  #held: DueDelivery[] | undefined;
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Loads what the store holds as due. New entries wait meanwhile. */
  async start(): Promise<void> {
    this.#held = [];
    let after: { event: string; endpoint: string } | undefined;
    let loaded = 0;
    try {
      for (;;) {
        const page = await this.#o.store.listDue(after, LOAD_PAGE);
        for (const due of page) this.#queue(due);
        loaded += page.length;
        if (page.length < LOAD_PAGE) break;
        const last = page.at(-1)!.delivery;
        after = { event: last.event, endpoint: last.endpoint };
      }
    } finally {
      const held = this.#held;
      this.#held = undefined;
      for (const due of held) this.#queue(due);
    }
    if (loaded > 0) this.#o.logger.info({ deliveries: loaded }, 'webhook deliveries left from before the start: sending them');
  }

  /** Events just stored: their first attempts start now. */
  dispatch(entries: readonly OutboxEntry[]): void {
    for (const { event, endpoints } of entries) {
      for (const endpoint of endpoints) {
        const due: DueDelivery = {
          event,
          delivery: { endpoint, event: event.id, type: event.type, room: event.room, status: 'pending', attempts: 0, nextAttemptAt: event.timestamp, lastStatus: null, lastError: null, createdAt: event.timestamp, updatedAt: event.timestamp },
        };
        if (this.#held) this.#held.push(due);
        else this.#queue(due);
      }
    }
  }

  /** Queues deliveries again (a replay, or an endpoint enabled again). */
  requeue(deliveries: readonly DueDelivery[]): void {
    for (const due of deliveries) this.#queue(due);
  }

  /** The endpoint was disabled or deleted: its queue goes (what is due stays in the store for a re-enable). */
  drop(id: string): void {
    this.#queues.get(id)?.close();
    this.#queues.delete(id);
  }

  /** Per endpoint: deliveries waiting and the age of the oldest (ms). */
  backlog(): Array<{ endpoint: string; depth: number; oldestAgeMs: number }> {
    const now = this.#now();
    return [...this.#queues].map(([endpoint, queue]) => {
      const oldest = queue.oldest();
      return { endpoint, depth: queue.depth, oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest) };
    });
  }

  close(): void {
    this.#closed = true;
    for (const id of [...this.#queues.keys()]) this.drop(id);
  }

  #queue(due: DueDelivery): void {
    if (this.#closed || !this.#o.endpoint(due.delivery.endpoint)?.enabled) return;
    const id = due.delivery.endpoint;
    let queue = this.#queues.get(id);
    if (!queue) {
      queue = this.#makeQueue(id);
      this.#queues.set(id, queue);
    }
    queue.push(due.event, due.delivery.attempts, due.delivery.status === 'failed' ? (due.delivery.nextAttemptAt ?? 0) : 0);
  }

  #makeQueue(id: string): EndpointQueue {
    return new EndpointQueue({
      endpoint: () => this.#o.endpoint(id),
      store: this.#o.store,
      sender: new WebhookSender(this.#o.concurrency, this.#o.timeoutMs),
      logger: this.#o.logger.child({ endpoint: id }),
      concurrency: this.#o.concurrency,
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
