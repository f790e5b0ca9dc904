import type { AuthHookSettings } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import { AuthHookClient, type HookOutcome } from './AuthHookClient.js';
import { parseAllow, parseDenyReason, type HookRequest, type HookVerdict } from './hookAnswer.js';

/** Answers kept at most; past it the oldest go first (a reconnect comes back within seconds). */
const MAX_CACHED = 50_000;
/** Failures are logged once per this, with how many there were. */
const FAILURE_LOG_MS = 10_000;
/** Users (and user-room pairs) whose sessions were ended, remembered at most; past it the oldest go first. */
const MAX_ENDED = 50_000;
/** An answer overtaken by an end of sessions is asked again at most this many times. */
const MAX_ASKS = 3;

/** What the hook's numbers go to (the worker's counters). */
export interface AuthHookCounters {
  authHookCalls: number;
  authHookCached: number;
  authHookDenied: number;
  authHookFailures: number;
}

interface Cached {
  readonly verdict: HookVerdict;
  readonly until: number;
}

/**
 * The join and publish hook of one worker: asks the site (AuthHookClient) and applies its
 * answer, the failure policy and the cache. An allow is reused for the same action, room, user
 * and role (an anonymous viewer: its address) for AUTH_HOOK_CACHE_SECONDS, never past its
 * expiresAt; a deny for AUTH_HOOK_DENY_CACHE_SECONDS; a failure never (the next join asks
 * again). Joins asking the same question at once share one call.
 */
export class AuthHook {
  readonly #settings: AuthHookSettings;
  readonly #client: Pick<AuthHookClient, 'ask'>;
  readonly #logger: Logger;
  readonly #counters: AuthHookCounters;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();
  readonly #asking = new Map<string, Promise<HookVerdict>>();
  /** How many times sessions were ended, by user and by `user\nroom`: an answer asked before an end is stale. */
  readonly #endings = new Map<string, number>();
  #failuresUnlogged = 0;
  #lastFailureLog = 0;

  constructor(settings: AuthHookSettings, logger: Logger, counters: AuthHookCounters, now: () => number = Date.now) {
    this.#settings = settings;
    this.#client = new AuthHookClient(settings);
    this.#logger = logger.child({ component: 'auth-hook' });
    this.#counters = counters;
    this.#now = now;
  }

  async check(request: HookRequest): Promise<HookVerdict> {
    const key = cacheKey(request);
    const cached = this.#cache.get(key);
    const now = this.#now();
    if (cached !== undefined) {
      if (cached.until > now) {
        this.#counters.authHookCached += 1;
        return cached.verdict;
      }
      this.#cache.delete(key);
    }
    const pending = this.#asking.get(key);
    if (pending !== undefined) return pending;
    const asking = this.#ask(key, request).finally(() => this.#asking.delete(key));
    this.#asking.set(key, asking);
    return asking;
  }

  /** Forgets the answers about `user` (in `room`, or everywhere): their sessions were ended, the next join asks again. */
  forget(user: string, room?: string): void {
    const ending = room === undefined ? user : `${user}\n${room}`;
    // Counted up, and moved to the newest place (the oldest are forgotten first past MAX_ENDED).
    const endings = (this.#endings.get(ending) ?? 0) + 1;
    this.#endings.delete(ending);
    if (this.#endings.size >= MAX_ENDED) this.#endings.delete(this.#endings.keys().next().value!);
    this.#endings.set(ending, endings);
    for (const key of this.#cache.keys()) {
      const [, keyRoom, who] = key.split('\n');
      if (who === `user:${user}` && (room === undefined || keyRoom === room)) this.#cache.delete(key);
    }
  }

  /** A number that changes whenever this user's sessions (everywhere, or in this room) are ended. */
  #endingsOf(request: HookRequest): number {
    if (request.anonymous) return 0;
    return (this.#endings.get(request.user) ?? 0) + (this.#endings.get(`${request.user}\n${request.room}`) ?? 0);
  }

  async #ask(key: string, request: HookRequest): Promise<HookVerdict> {
    // Sessions ended while the hook was being asked make its answer stale (the site may have
    // just cut this user off): it is neither kept nor used, and the hook is asked again.
    let outcome: HookOutcome;
    let asks = 0;
    for (;;) {
      const endings = this.#endingsOf(request);
      this.#counters.authHookCalls += 1;
      asks += 1;
      outcome = await this.#client.ask(request);
      if (this.#endingsOf(request) === endings) break;
      if (asks >= MAX_ASKS) return { allow: false, code: 'HOOK_DENIED', reason: 'Your session was ended by the site' };
    }
    const verdict = this.#verdict(outcome, request);
    if (verdict === null) return this.#failed(request, outcome.kind === 'failed' ? outcome.why : 'its answer could not be used');
    const now = this.#now();
    if (verdict.allow) {
      if (verdict.expiresAt !== undefined && verdict.expiresAt <= now) {
        return { allow: false, code: 'SESSION_EXPIRED', reason: `The site allowed this until ${new Date(verdict.expiresAt).toISOString()}, which has passed` };
      }
      this.#remember(key, verdict, Math.min(now + this.#settings.cacheMs, verdict.expiresAt ?? Infinity));
    } else {
      this.#counters.authHookDenied += 1;
      this.#remember(key, verdict, now + this.#settings.denyCacheMs);
    }
    return verdict;
  }

  /** The outcome as a verdict; null when it is a failure (no answer, or an unusable one). */
  #verdict(outcome: HookOutcome, request: HookRequest): HookVerdict | null {
    if (outcome.kind === 'failed') return null;
    if (outcome.kind === 'deny') return { allow: false, code: 'HOOK_DENIED', reason: parseDenyReason(outcome.body) };
    const allow = parseAllow(outcome.body, request.role);
    if ('problem' in allow) {
      this.#logger.warn({ action: request.action, room: request.room, problem: allow.problem }, 'auth hook answered 2xx with a body that cannot be used');
      return null;
    }
    return allow;
  }

  #failed(request: HookRequest, why: string): HookVerdict {
    this.#counters.authHookFailures += 1;
    this.#failuresUnlogged += 1;
    const now = this.#now();
    if (now - this.#lastFailureLog >= FAILURE_LOG_MS) {
      this.#logger.warn({ why, action: request.action, room: request.room, failures: this.#failuresUnlogged, policy: this.#settings.failure }, 'auth hook failed');
      this.#failuresUnlogged = 0;
      this.#lastFailureLog = now;
    }
    if (this.#settings.failure === 'allow') return { allow: true };
    return { allow: false, code: 'HOOK_UNAVAILABLE', reason: "The site's access check did not answer; try again shortly" };
  }

  #remember(key: string, verdict: HookVerdict, until: number): void {
    if (until <= this.#now()) return;
    if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { verdict, until });
  }
}

/** action, room, who (user id; an anonymous viewer's id is new at every connection: its address and name), role. */
function cacheKey(request: HookRequest): string {
  const who = request.anonymous ? `ip:${request.ip} ${request.name}` : `user:${request.user}`;
  return `${request.action}\n${request.room}\n${who}\n${request.role}`;
}
