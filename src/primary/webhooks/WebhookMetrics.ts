import { Counter, Gauge, type Registry } from 'prom-client';

/** The webhook figures of `GET /api/v1/stats` (and /metrics). */
export interface WebhookStats {
  readonly endpoints: number;
  readonly delivered: number;
  /** Attempts that failed (each retry counts). */
  readonly failed: number;
  readonly dead: number;
  /** Events the store did not take: never sent. */
  readonly lost: number;
  /** Event to first attempt, p99 of the recent ones (ms); null before any. */
  readonly firstAttemptP99Ms: number | null;
  /** Sender threads started again after one stopped or got stuck (0 when attempts run in the primary's thread). */
  readonly senderRestarts: number;
  readonly backlog: ReadonlyArray<{
    readonly endpoint: string;
    readonly depth: number;
    readonly oldestAgeMs: number;
    /** Deliveries held in memory now, and the most at once (at most WEBHOOK_MEMORY_QUEUE). */
    readonly inMemory: number;
    readonly inMemoryPeak: number;
  }>;
}

export function p99(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/** The webhook metrics, registered in the primary's registry and set at each scrape. */
export class WebhookMetrics {
  readonly #pending: Gauge<'endpoint'>;
  readonly #oldest: Gauge<'endpoint'>;
  readonly #attempts: Counter<'result'>;
  readonly #lost: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#pending = new Gauge({ name: 'chatserver_webhook_pending_deliveries', help: 'Webhook deliveries waiting (queue depth), per endpoint', labelNames: ['endpoint'], registers });
    this.#oldest = new Gauge({ name: 'chatserver_webhook_oldest_pending_seconds', help: 'Age of the oldest event waiting for delivery, per endpoint', labelNames: ['endpoint'], registers });
    this.#attempts = new Counter({ name: 'chatserver_webhook_attempts_total', help: 'Webhook delivery attempts by result: delivered, failed (retried), dead (given up)', labelNames: ['result'], registers });
    this.#lost = new Counter({ name: 'chatserver_webhook_events_lost_total', help: 'Webhook events the store did not take (never sent)', registers });
  }

  update(stats: WebhookStats): void {
    this.#pending.reset();
    this.#oldest.reset();
    for (const { endpoint, depth, oldestAgeMs } of stats.backlog) {
      this.#pending.set({ endpoint }, depth);
      this.#oldest.set({ endpoint }, oldestAgeMs / 1000);
    }
    for (const result of ['delivered', 'failed', 'dead'] as const) {
      this.#attempts.remove({ result });
      this.#attempts.inc({ result }, stats[result]);
    }
    this.#lost.reset();
    this.#lost.inc(stats.lost);
  }
}
