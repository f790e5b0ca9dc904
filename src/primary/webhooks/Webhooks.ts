import { randomBytes } from 'node:crypto';
import type { WebhookLimits } from '../../config/Config.js';
import type { Logger } from '../../kit/createLogger.js';
import { newWebhookSecret } from '../../kit/standardWebhooks.js';
import { DomainError } from '../../contracts/domainErrors.js';
import { WEBHOOK_EVENT_TYPES, type RaisedEvent, type WebhookEventType } from '../../contracts/webhookEvents.js';
import type { DeliveryRecord, OutboxEntry, WebhookEndpointRecord, WebhookEndpointView } from '../../contracts/webhookRecords.js';
import type { ChatMessageRecord } from '../../contracts/records.js';
import type { ReplaySelector, WebhookStore } from '../../store/WebhookStore.js';
import { wantsType } from './endpointMatch.js';
import { p99, type WebhookStats } from './WebhookMetrics.js';
import { WebhookDispatcher } from './WebhookDispatcher.js';
import { WebhookOutbox } from './WebhookOutbox.js';
import { SenderThread } from './SenderThread.js';
import { parseWebhookUrl, resolveWebhookTarget, type TargetRules } from './webhookTarget.js';


export interface EndpointInput {
  readonly url: string;
  readonly events?: readonly WebhookEventType[] | null;
  readonly rooms?: readonly string[] | null;
}

export interface EndpointPatch extends Partial<EndpointInput> {
  readonly enabled?: boolean;
}

/** How long a rotated-out secret keeps signing beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** How often settled deliveries are pruned, and how many per write. */
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 5_000;

export interface WebhooksOptions {
  readonly store: WebhookStore;
  readonly logger: Logger;
  readonly limits: WebhookLimits;
  /** This server's own API ports: never a webhook target. */
  readonly ownPorts: readonly number[];
  readonly now?: () => number;
  /** The event types some enabled endpoint wants changed (workers send only those). */
  readonly interestChanged?: (types: WebhookEventType[]) => void;
  /**
   * The attempts' HTTP in a worker thread (SenderThread), off the event loop chat commits wait
   * on: the primary's setting. Without it (tests of the delivery rules) they run in this thread.
   */
  readonly sendInThread?: boolean;
}

/**
 * The primary's webhooks: the endpoints (kept in memory, written through to the store), the
 * outbox and its dispatcher, the admin operations and the pruning of settled deliveries.
 */
export class Webhooks {
  readonly #o: WebhooksOptions;
  readonly #store: WebhookStore;
  readonly #endpoints = new Map<string, WebhookEndpointRecord>();
  readonly #rules: TargetRules;
  readonly #now: () => number;
  readonly dispatcher: WebhookDispatcher;
  readonly outbox: WebhookOutbox;
  #pruneTimer: NodeJS.Timeout | undefined;
  readonly #thread: SenderThread | undefined;

  constructor(options: WebhooksOptions) {
    this.#o = options;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#rules = { allowPrivate: options.limits.allowPrivate, ownPorts: options.ownPorts };
    const { limits } = options;
    const thread = options.sendInThread ? new SenderThread(options.logger) : undefined;
    this.#thread = thread;
    this.dispatcher = new WebhookDispatcher({
      store: this.#store,
      logger: options.logger,
      endpoint: (id) => this.#endpoints.get(id),
      concurrency: limits.concurrency,
      maxInMemory: limits.memoryQueue,
      timeoutMs: limits.timeoutMs,
      retry: { baseMs: limits.retryBaseMs, maxMs: limits.retryMaxMs, forMs: limits.retryForMs },
      rules: this.#rules,
      now: this.#now,
      gone: (id) => void this.#disable(id, 'the endpoint answered 410 Gone'),
      ...(thread ? { senders: (id: string, concurrency: number, timeoutMs: number) => thread.sender(id, concurrency, timeoutMs) } : {}),
    });
    this.outbox = new WebhookOutbox(this.#store, this.dispatcher, () => this.#endpoints.values(), options.logger);
  }

  /** Loads the endpoints, then starts reading what is still to deliver; prunes every hour. */
  async start(): Promise<void> {
    // Events journaled while MongoDB was away (this run or the last) start once replayed.
    this.#store.onReleased?.((entries) => this.dispatcher.dispatch(entries));
    for (const endpoint of await this.#store.listEndpoints()) this.#endpoints.set(endpoint.id, endpoint);
    this.#interestChanged();
    for (const endpoint of this.#endpoints.values()) this.dispatcher.load(endpoint.id);
    this.#pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.#pruneTimer.unref();
    void this.prune();
  }

  close(): void {
    clearInterval(this.#pruneTimer);
    this.dispatcher.close();
    void this.#thread?.close();
  }

  stats(): WebhookStats {
    const { counters, firstAttemptLags } = this.dispatcher;
    return { endpoints: this.#endpoints.size, ...counters, lost: this.outbox.lost, firstAttemptP99Ms: p99(firstAttemptLags), senderRestarts: this.#thread?.restarts ?? 0, backlog: this.dispatcher.backlog() };
  }

  /** Event types some enabled endpoint wants. */
  wantedTypes(): WebhookEventType[] {
    const endpoints = [...this.#endpoints.values()].filter((e) => e.enabled);
    return WEBHOOK_EVENT_TYPES.filter((type) => endpoints.some((e) => wantsType(e, type)));
  }

  raise(events: readonly RaisedEvent[]): Promise<void> {
    return this.outbox.raise(events);
  }

  entries(events: readonly RaisedEvent[]): OutboxEntry[] {
    return this.outbox.entries(events);
  }

  messageEntries(records: readonly ChatMessageRecord[]): OutboxEntry[] {
    return this.outbox.messageEntries(records);
  }

  committed(entries: readonly OutboxEntry[]): void {
    this.outbox.committed(entries);
  }

  list(): WebhookEndpointView[] {
    return [...this.#endpoints.values()].map(viewOf);
  }

  get(id: string): WebhookEndpointView {
    return viewOf(this.#endpoint(id));
  }

  async create(input: EndpointInput): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const url = await this.#checkedUrl(input.url);
    const now = this.#now();
    const secret = newWebhookSecret();
    const endpoint: WebhookEndpointRecord = {
      id: `ep_${randomBytes(12).toString('base64url')}`,
      url,
      events: input.events ? [...new Set(input.events)] : null,
      rooms: input.rooms ? [...new Set(input.rooms)] : null,
      secrets: { current: secret, previous: null, previousExpiresAt: null },
      enabled: true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#save(endpoint);
    this.#o.logger.info({ endpoint: endpoint.id, url: endpoint.url }, 'webhook endpoint created');
    return { endpoint: viewOf(endpoint), secret };
  }

  async update(id: string, patch: EndpointPatch): Promise<WebhookEndpointView> {
    const current = this.#endpoint(id);
    const url = patch.url === undefined ? current.url : await this.#checkedUrl(patch.url);
    const enabled = patch.enabled ?? current.enabled;
    const next: WebhookEndpointRecord = {
      ...current,
      url,
      events: patch.events === undefined ? current.events : patch.events === null ? null : [...new Set(patch.events)],
      rooms: patch.rooms === undefined ? current.rooms : patch.rooms === null ? null : [...new Set(patch.rooms)],
      enabled,
      disabledReason: enabled ? null : patch.enabled === false ? 'disabled by an operator' : current.disabledReason,
      updatedAt: this.#now(),
    };
    await this.#save(next);
    if (!enabled) this.dispatcher.drop(id);
    // Enabled again: what it missed while disabled is still due in the store.
    if (enabled && !current.enabled) this.dispatcher.load(id);
    return viewOf(next);
  }

  async remove(id: string): Promise<void> {
    this.#endpoint(id);
    await stored(() => this.#store.deleteEndpoint(id), 'the webhook endpoint was not deleted');
    this.#endpoints.delete(id);
    this.dispatcher.drop(id);
    this.#interestChanged();
  }

  async rotateSecret(id: string): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const current = this.#endpoint(id);
    const secret = newWebhookSecret();
    const now = this.#now();
    const next: WebhookEndpointRecord = { ...current, secrets: { current: secret, previous: current.secrets.current, previousExpiresAt: now + ROTATION_OVERLAP_MS }, updatedAt: now };
    await this.#save(next);
    return { endpoint: viewOf(next), secret };
  }

  async deliveries(id: string, query: { before?: string; limit: number }): Promise<{ deliveries: DeliveryRecord[]; next: string | null }> {
    this.#endpoint(id);
    const deliveries = await stored(() => this.#store.listDeliveries(id, query), 'the deliveries could not be read');
    return { deliveries, next: deliveries.length === query.limit ? (deliveries.at(-1)?.event ?? null) : null };
  }

  /** Marks the selected deliveries due again in the store; the endpoint's queue reads them back in pages (memory stays bounded whatever the span). */
  async replay(id: string, selector: ReplaySelector): Promise<{ queued: number }> {
    this.#endpoint(id);
    const queued = await stored(() => this.#store.requeue(id, selector, this.#now()), 'the replay was not stored');
    this.dispatcher.replayed(id, (event) => ('event' in selector ? event.id === selector.event : event.timestamp >= selector.since && event.timestamp <= selector.until));
    return { queued };
  }

  /** Deletes settled deliveries older than WEBHOOK_KEEP_DAYS, a batch per write. */
  async prune(): Promise<number> {
    let total = 0;
    try {
      for (let removed = PRUNE_BATCH; removed === PRUNE_BATCH; total += removed) removed = await this.#store.prune(this.#now() - this.#o.limits.keepMs, PRUNE_BATCH);
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'webhook deliveries not pruned; trying again in an hour');
    }
    return total;
  }

  #endpoint(id: string): WebhookEndpointRecord {
    const endpoint = this.#endpoints.get(id);
    if (!endpoint) throw new DomainError('WEBHOOK_NOT_FOUND', `no webhook endpoint ${id}`);
    return endpoint;
  }

  async #checkedUrl(raw: string): Promise<string> {
    const url = parseWebhookUrl(raw);
    await resolveWebhookTarget(url, this.#rules);
    return url.href;
  }

  async #save(endpoint: WebhookEndpointRecord): Promise<void> {
    await stored(() => this.#store.saveEndpoint(endpoint), 'the webhook endpoint was not stored');
    this.#endpoints.set(endpoint.id, endpoint);
    this.#interestChanged();
  }

  async #disable(id: string, reason: string): Promise<void> {
    const current = this.#endpoints.get(id);
    if (!current?.enabled) return;
    this.dispatcher.drop(id);
    await this.#save({ ...current, enabled: false, disabledReason: reason, updatedAt: this.#now() }).catch((error: unknown) =>
      this.#o.logger.error({ err: error, endpoint: id }, 'disabling the webhook endpoint was not stored'),
    );
  }

  #interestChanged(): void {
    this.#o.interestChanged?.(this.wantedTypes());
  }
}

function viewOf(e: WebhookEndpointRecord): WebhookEndpointView {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    rooms: e.rooms,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: e.secrets.previous === null ? null : e.secrets.previousExpiresAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

/** A store call of an admin route: a failure is 503 STORE_UNAVAILABLE (the contract), not a 500. */
async function stored<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new DomainError('STORE_UNAVAILABLE', what, { cause: error });
  }
}
