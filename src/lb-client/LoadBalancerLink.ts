import type { Logger } from '../kit/createLogger.js';
import type { HealthReport, Registration } from '../contracts/lbWire.js';
import { withoutListings } from './healthReport.js';

export interface LinkOptions {
  readonly baseUrl: string;
  readonly key: string;
  readonly registration: Registration;
  readonly report: () => Promise<HealthReport>;
  readonly logger: Logger;
  /** After a refusal of listings, how long heartbeats go without them before listings are tried again (10 minutes). */
  readonly listingRetryMs?: number;
}

const LISTING_RETRY_MS = 10 * 60_000;

const REQUEST_TIMEOUT_MS = 5_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** Bounds on the heartbeat interval a load balancer may ask for. */
const MIN_HEARTBEAT_MS = 250;
const MAX_HEARTBEAT_MS = 60_000;
const DEFAULT_HEARTBEAT_MS = 2_000;

class HttpStatusError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * One load balancer: register, heartbeat at the interval it asks for, register again when it
 * answers 404 (it restarted or dropped us), and keep retrying with backoff while it is down.
 * A load balancer that is down never affects anything else. A load balancer older than the live
 * listing refuses (400) a heartbeat whose rooms carry `listing`: the heartbeat is sent again
 * without listings, and they are left out for that load balancer until it registers us again
 * (it may have been upgraded by then) or `listingRetryMs` passed (upgraded in place, keeping its
 * registry), when they are tried again.
 */
export class LoadBalancerLink {
  readonly #options: LinkOptions;
  readonly #logger: Logger;
  #id: string | undefined;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;
  #closed = false;
  /** This load balancer refused room listings: heartbeats go without them until then (epoch ms). */
  #noListingsUntil = 0;
  /** It refused them before: a refusal after a retry is not worth a warning again. */
  #refusedListings = false;

  constructor(options: LinkOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ loadBalancer: options.baseUrl });
  }

  get registered(): boolean {
    return this.#id !== undefined;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Stops reporting; tells the load balancer we are leaving when `deregister` is set. */
  async close(deregister: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (!deregister || !this.#id) return;
    try {
      await this.#call('DELETE', `/api/v1/servers/${encodeURIComponent(this.#id)}`);
      this.#logger.info('deregistered');
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not deregister');
    }
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    try {
      if (this.#id) await this.#heartbeat(this.#id);
      else await this.#register();
      this.#recovered();
      this.#schedule(this.#heartbeatMs);
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404 && this.#id) {
        this.#logger.warn('load balancer does not know us (it restarted or dropped us); registering again');
        this.#id = undefined;
        this.#schedule(0);
        return;
      }
      this.#failed(error);
      // Registered servers keep their pace so the LB sees them again within one interval.
      this.#schedule(this.#id ? this.#heartbeatMs : this.#retryMs);
      this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
    }
  }

  async #register(): Promise<void> {
    const answer = (await this.#call('POST', '/api/v1/servers', this.#options.registration)) as {
      data?: { id?: unknown; heartbeatMs?: unknown };
    };
    const id = answer.data?.id;
    const heartbeatMs = Number(answer.data?.heartbeatMs);
    this.#id = typeof id === 'string' && id ? id : this.#options.registration.id;
    this.#heartbeatMs = Number.isFinite(heartbeatMs)
      ? Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, heartbeatMs))
      : DEFAULT_HEARTBEAT_MS;
    this.#noListingsUntil = 0;
    this.#logger.info({ id: this.#id, heartbeatMs: this.#heartbeatMs }, 'registered with load balancer');
  }

  async #heartbeat(id: string): Promise<void> {
    const path = `/api/v1/servers/${encodeURIComponent(id)}/health`;
    const report = await this.#options.report();
    const bare = withoutListings(report);
    if (Date.now() < this.#noListingsUntil || bare === report) return void (await this.#call('PUT', path, bare));
    try {
      await this.#call('PUT', path, report);
    } catch (error) {
      // Only a refusal of the listings themselves (an older load balancer's "Unrecognized key:
      // listing"): a 400 for anything else is reported as it is, listings kept.
      if (!(error instanceof HttpStatusError && error.status === 400 && /listing/i.test(error.message))) throw error;
      // Refused for something else, the bare report fails too and that error is the one reported.
      await this.#call('PUT', path, bare);
      const retryMs = this.#options.listingRetryMs ?? LISTING_RETRY_MS;
      this.#noListingsUntil = Date.now() + retryMs;
      const log = { refusal: error.message, retryInS: Math.round(retryMs / 1000) };
      if (this.#refusedListings) this.#logger.debug(log, 'load balancer refused room listings again');
      else this.#logger.warn(log, 'load balancer refused room listings in heartbeats (it is older than the live listing); reporting without them until it registers us again, trying them again every so often');
      this.#refusedListings = true;
    }
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.#options.baseUrl + path, {
      method,
      headers: { 'x-api-key': this.#options.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new HttpStatusError(response.status, `${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
    return text ? (JSON.parse(text) as unknown) : {};
  }

  #failed(error: unknown): void {
    // The first failure is a warning; repeats stay at debug so a long outage does not flood the log.
    if (!this.#failing) this.#logger.warn({ err: error, retryInMs: this.#retryMs }, 'load balancer unreachable; will keep retrying');
    else this.#logger.debug({ err: error }, 'load balancer still unreachable');
    this.#failing = true;
  }

  #recovered(): void {
    if (this.#failing) this.#logger.info('load balancer reachable again');
    this.#failing = false;
    this.#retryMs = FIRST_RETRY_MS;
  }
}
