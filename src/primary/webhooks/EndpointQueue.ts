import type { Logger } from '../../kit/createLogger.js';
import { webhookHeaders } from '../../kit/standardWebhooks.js';
import type { DeliveryStatus, OutboxEvent, WebhookEndpointRecord } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';
import { retriesExhausted, retryDelayMs, type RetryPolicy } from './retrySchedule.js';
import type { AttemptResult, WebhookSender } from './WebhookSender.js';
import { resolveWebhookTarget, type TargetRules, type WebhookTarget } from './webhookTarget.js';

/** One delivery waiting in memory: its event and the attempts made so far. */
export interface QueuedDelivery {
  readonly event: OutboxEvent;
  attempts: number;
  /** Not attempted before this (epoch ms). */
  notBefore: number;
}

export interface EndpointQueueOptions {
  readonly endpoint: () => WebhookEndpointRecord | undefined;
  readonly store: WebhookStore;
  readonly sender: WebhookSender;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly rules: TargetRules;
  readonly now: () => number;
  readonly random?: () => number;
  /** An attempt ended (metrics). */
  readonly observe: (outcome: 'delivered' | 'failed' | 'dead', firstAttemptLagMs: number | null) => void;
  /** The endpoint answered 410 Gone. */
  readonly gone: () => void;
}

/** How long a resolved address is used before DNS is asked again (and the address checked again). */
const TARGET_TTL_MS = 30_000;

/** Events of no room keep their order among themselves, in a lane of their own. */
const NO_ROOM = '\u0000';

/**
 * The deliveries of one endpoint in memory, one lane per room: a lane's next event waits until
 * the previous one is delivered or dead (order per room), lanes go in parallel up to
 * `concurrency` requests. A failed attempt puts its lane to sleep until the retry is due; the
 * other lanes go on. Every outcome is written to the store before the lane moves on, so a crash
 * sends again at most what was in flight (at least once).
 */
export class EndpointQueue {
  readonly #o: EndpointQueueOptions;
  readonly #lanes = new Map<string, QueuedDelivery[]>();
  /** Lanes whose head may be attempted now, in the order they became ready. */
  readonly #ready = new Set<string>();
  readonly #sleeping = new Map<string, NodeJS.Timeout>();
  /** Events queued, by id (dedupes a replay or the start-up load against what is already here). */
  readonly #queued = new Map<string, QueuedDelivery>();
  #inFlight = 0;
  #target: { readonly target: WebhookTarget; readonly at: number } | undefined;
  #closed = false;

  constructor(options: EndpointQueueOptions) {
    this.#o = options;
  }

  /** Deliveries waiting (in flight included). */
  get depth(): number {
    return this.#queued.size;
  }

  /** The raise time of the oldest event waiting, or null. */
  oldest(): number | null {
    let oldest: number | null = null;
    for (const lane of this.#lanes.values()) {
      const head = lane[0];
      if (head && (oldest === null || head.event.timestamp < oldest)) oldest = head.event.timestamp;
    }
    return oldest;
  }

  push(event: OutboxEvent, attempts = 0, notBefore = 0): void {
    if (this.#closed) return;
    const key = event.room ?? NO_ROOM;
    const queued = this.#queued.get(event.id);
    if (queued) {
      // Queued already (a replay of a delivery waiting for its retry): due sooner if asked.
      if (notBefore >= queued.notBefore) return;
      queued.notBefore = notBefore;
      const sleeping = this.#sleeping.get(key);
      if (sleeping && this.#lanes.get(key)?.[0] === queued) {
        clearTimeout(sleeping);
        this.#sleeping.delete(key);
        this.#wake(key);
      }
      return;
    }
    const item: QueuedDelivery = { event, attempts, notBefore };
    this.#queued.set(event.id, item);
    const lane = this.#lanes.get(key);
    if (lane) return void lane.push(item);
    this.#lanes.set(key, [item]);
    this.#wake(key);
  }

  /** Drops everything queued (the endpoint was disabled or deleted: what is due stays in the store). */
  close(): void {
    this.#closed = true;
    this.#o.sender.close();
    for (const timer of this.#sleeping.values()) clearTimeout(timer);
    this.#sleeping.clear();
    this.#ready.clear();
    this.#lanes.clear();
    this.#queued.clear();
  }

  #wake(key: string): void {
    const head = this.#lanes.get(key)?.[0];
    if (!head || this.#closed) return;
    const wait = head.notBefore - this.#o.now();
    if (wait > 0) {
      this.#sleeping.set(key, setTimeout(() => {
        this.#sleeping.delete(key);
        this.#wake(key);
      }, wait));
      return;
    }
    this.#ready.add(key);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#o.concurrency && this.#ready.size > 0 && !this.#closed) {
      const key = this.#ready.values().next().value as string;
      this.#ready.delete(key);
      const head = this.#lanes.get(key)?.[0];
      if (!head) continue;
      this.#inFlight += 1;
      void this.#attempt(key, head).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  async #attempt(key: string, queued: QueuedDelivery): Promise<void> {
    const endpoint = this.#o.endpoint();
    if (!endpoint?.enabled) return;
    const firstAttemptLagMs = queued.attempts === 0 ? Math.max(0, this.#o.now() - queued.event.timestamp) : null;
    const result = await this.#send(endpoint, queued.event);
    if (this.#closed) return;
    queued.attempts += 1;
    const now = this.#o.now();
    let status: DeliveryStatus;
    if (result.status !== null && result.status >= 200 && result.status < 300) status = 'delivered';
    else if (result.status === 410 || retriesExhausted(queued.event.timestamp, now, this.#o.retry)) status = result.status === 410 ? 'failed' : 'dead';
    else status = 'failed';
    const nextAttemptAt = status === 'failed' ? now + retryDelayMs(queued.attempts, this.#o.retry, this.#o.random) : null;
    await this.#o.store
      .updateDelivery(endpoint.id, queued.event.id, { status, attempts: queued.attempts, nextAttemptAt, lastStatus: result.status, lastError: result.error, updatedAt: now })
      .catch((error: unknown) => this.#o.logger.error({ err: error, event: queued.event.id }, 'webhook delivery outcome not stored; the delivery may be made again after a restart'));
    this.#o.observe(status === 'delivered' ? 'delivered' : status === 'dead' ? 'dead' : 'failed', firstAttemptLagMs);
    if (result.status === 410) {
      this.#o.logger.warn({ endpoint: endpoint.id }, 'webhook endpoint answered 410 Gone: disabled');
      return this.#o.gone();
    }
    if (status === 'failed') {
      queued.notBefore = nextAttemptAt!;
      this.#o.logger.debug({ endpoint: endpoint.id, event: queued.event.id, attempts: queued.attempts, error: result.error }, 'webhook attempt failed; retrying');
      return this.#wake(key);
    }
    if (status === 'dead') this.#o.logger.warn({ endpoint: endpoint.id, event: queued.event.id, attempts: queued.attempts, error: result.error }, 'webhook delivery given up');
    const lane = this.#lanes.get(key);
    lane?.shift();
    this.#queued.delete(queued.event.id);
    if (lane && lane.length === 0) this.#lanes.delete(key);
    else this.#wake(key);
  }

  async #send(endpoint: WebhookEndpointRecord, event: OutboxEvent): Promise<AttemptResult> {
    let target: WebhookTarget;
    try {
      target = await this.#resolve(endpoint);
    } catch (error) {
      return { status: null, error: (error as Error).message };
    }
    const body = JSON.stringify({ type: event.type, timestamp: new Date(event.timestamp).toISOString(), data: event.data });
    const { secrets } = endpoint;
    const keys = secrets.previous !== null && (secrets.previousExpiresAt ?? 0) > this.#o.now() ? [secrets.current, secrets.previous] : [secrets.current];
    return this.#o.sender.send(target, webhookHeaders(keys, event.id, body, this.#o.now()), body);
  }

  /** The endpoint's address, checked again when the URL changed or TARGET_TTL_MS passed. */
  async #resolve(endpoint: WebhookEndpointRecord): Promise<WebhookTarget> {
    const cached = this.#target;
    if (cached && cached.target.url.href === new URL(endpoint.url).href && this.#o.now() - cached.at < TARGET_TTL_MS) return cached.target;
    const target = await resolveWebhookTarget(endpoint.url, this.#o.rules);
    this.#target = { target, at: this.#o.now() };
    return target;
  }
}
