import type { Logger } from '../../kit/createLogger.js';
import { webhookHeaders } from '../../kit/standardWebhooks.js';
import type { DeliveryStatus, DueDelivery, OutboxEvent, WebhookEndpointRecord } from '../../contracts/webhookRecords.js';
import type { WebhookStore } from '../../store/WebhookStore.js';
import { retriesExhausted, retryDelayMs, type RetryPolicy } from './retrySchedule.js';
import type { OutcomeWriter } from './OutcomeWriter.js';
import { laneOf, StoreBacklog } from './StoreBacklog.js';
import type { AttemptResult, AttemptSender } from './WebhookSender.js';
import { resolveWebhookTarget, type TargetRules, type WebhookTarget } from './webhookTarget.js';

/** One delivery waiting in memory: its event and the attempts made so far. */
export interface QueuedDelivery {
  readonly event: OutboxEvent;
  attempts: number;
  /** Not attempted before this (epoch ms). */
  notBefore: number;
}

export interface EndpointQueueOptions {
  readonly id: string;
  readonly endpoint: () => WebhookEndpointRecord | undefined;
  readonly store: WebhookStore;
  /** Where attempts' outcomes are written (a group commit shared by every endpoint). */
  readonly outcomes: OutcomeWriter;
  readonly sender: AttemptSender;
  readonly logger: Logger;
  readonly concurrency: number;
  /** Deliveries held in memory at most; the rest wait in the store and are paged in. */
  readonly maxInMemory: number;
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

/** A lane (room) holds at most this share of the memory bound: one room whose head the receiver keeps refusing cannot fill it. */
const LANE_SHARE = 4;

/**
 * The deliveries of one endpoint in memory, one lane per room: a lane's next event waits until
 * the previous one is delivered or dead (order per room), lanes go in parallel up to
 * `concurrency` requests. A failed attempt puts its lane to sleep until the retry is due; the
 * other lanes go on. Every outcome is written to the store before the lane moves on, so a crash
 * sends again at most what was in flight (at least once).
 *
 * Memory is bounded: at most `maxInMemory` deliveries are held, and a lane at most a quarter of
 * that. Past either, the lane's new events stay in the store only (where they are already
 * durable) and StoreBacklog reads them back, oldest first, as the lane drains: the order per room
 * is the store's (event ids sort by time), and the other lanes go on. A receiver down for a day
 * costs the store rows, never the primary's memory.
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
  readonly #backlog: StoreBacklog;
  readonly #laneCap: number;
  /** The most held in memory at once (tests and the bench check the bound). */
  #peak = 0;
  #target: { readonly target: WebhookTarget; readonly at: number } | undefined;
  #closed = false;

  constructor(options: EndpointQueueOptions) {
    this.#o = options;
    this.#laneCap = Math.max(1, Math.floor(options.maxInMemory / LANE_SHARE));
    this.#backlog = new StoreBacklog({
      id: options.id,
      store: options.store,
      logger: options.logger,
      pageSize: options.maxInMemory,
      held: (id) => this.#queued.has(id),
      heldCount: () => this.#queued.size,
      take: (due) => this.#take(due),
      worthAPass: (lanes) => this.#worthAPass(lanes),
    });
  }

  /** Deliveries waiting (in flight included), in memory and, as far as this process knows, in the store only. */
  get depth(): number {
    return this.#queued.size + this.#backlog.storeOnly;
  }

  /** Deliveries held in memory now, and the most held at once. */
  get inMemory(): { readonly now: number; readonly peak: number } {
    return { now: this.#queued.size, peak: this.#peak };
  }

  /** Reads what the store holds as due (start-up, the endpoint enabled again): pushes wait until it is in. */
  load(): void {
    this.#backlog.loadAll();
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
    const queued = this.#queued.get(event.id);
    if (queued) {
      // Queued already (a replay of a delivery waiting for its retry): due sooner if asked.
      this.#sooner(queued, notBefore);
      return;
    }
    const lane = laneOf(event);
    if (this.#backlog.holds(lane) || !this.#hasRoom(lane)) {
      this.#backlog.turnAway(lane);
      return;
    }
    this.#add(event, attempts, notBefore);
  }

  /** A replay: the deliveries held here that `selected` picks are due now (those in the store only are read back by load()). */
  hurry(selected: (event: OutboxEvent) => boolean): void {
    for (const queued of this.#queued.values()) if (selected(queued.event)) this.#sooner(queued, 0);
  }

  #sooner(queued: QueuedDelivery, notBefore: number): void {
    if (notBefore >= queued.notBefore) return;
    queued.notBefore = notBefore;
    const key = laneOf(queued.event);
    const sleeping = this.#sleeping.get(key);
    if (sleeping && this.#lanes.get(key)?.[0] === queued) {
      clearTimeout(sleeping);
      this.#sleeping.delete(key);
      this.#wake(key);
    }
  }

  #hasRoom(lane: string): boolean {
    return this.#queued.size < this.#o.maxInMemory && (this.#lanes.get(lane)?.length ?? 0) < this.#laneCap;
  }

  #take(due: DueDelivery): boolean {
    if (!this.#hasRoom(laneOf(due.event))) return false;
    this.#add(due.event, due.delivery.attempts, due.delivery.status === 'failed' ? (due.delivery.nextAttemptAt ?? 0) : 0);
    return true;
  }

  /** A pass is worth it with half the memory free (every lane may have some in the store), or a lane of those with some there half empty. */
  #worthAPass(lanes: ReadonlySet<string> | 'all'): boolean {
    if (lanes === 'all') return this.#queued.size <= this.#o.maxInMemory / 2;
    if (this.#queued.size >= this.#o.maxInMemory) return false;
    for (const lane of lanes) if ((this.#lanes.get(lane)?.length ?? 0) <= this.#laneCap / 2) return true;
    return false;
  }

  #add(event: OutboxEvent, attempts: number, notBefore: number): void {
    const key = laneOf(event);
    const item: QueuedDelivery = { event, attempts, notBefore };
    this.#queued.set(event.id, item);
    if (this.#queued.size > this.#peak) this.#peak = this.#queued.size;
    const lane = this.#lanes.get(key);
    if (lane) return void lane.push(item);
    this.#lanes.set(key, [item]);
    this.#wake(key);
  }

  /** Drops everything queued (the endpoint was disabled or deleted: what is due stays in the store). */
  close(): void {
    this.#closed = true;
    this.#backlog.close();
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
    await this.#o.outcomes
      .write({ endpoint: endpoint.id, event: queued.event.id, update: { status, attempts: queued.attempts, nextAttemptAt, lastStatus: result.status, lastError: result.error, updatedAt: now } })
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
    this.#backlog.settled(queued.event.id);
    if (lane && lane.length === 0) this.#lanes.delete(key);
    else this.#wake(key);
    this.#backlog.refill();
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
