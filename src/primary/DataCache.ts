import type { Logger } from '../kit/createLogger.js';
import type { CacheDelta, CacheSnapshot } from '../contracts/ipc.js';
import type { Store } from '../store/Store.js';
import { DEFAULT_SETTINGS, type BanRecord, type GlobalSettings, type RevocationRecord } from '../contracts/records.js';
import { MAX_TOKEN_TTL_S } from '../chat/tokens.js';

export interface DataCacheOptions {
  readonly store: Store;
  readonly refreshMs: number;
  readonly logger: Logger;
  /** Hands each change to every worker. */
  readonly publish: (delta: CacheDelta) => void;
}

export interface CacheCounters {
  /** Loads from the store. */
  refreshes: number;
  failures: number;
  /** Changes pushed to the workers. */
  deltas: number;
}

/**
 * The primary's copy of settings, bans and token revocations. Workers get the full snapshot when
 * they start (`cache.get`) and, after that, only changes: a ban added or lifted through this
 * server is pushed as a one-ban delta at once, a revocation as the (short) revocation list, and
 * the periodic reload from the store (for changes made elsewhere, and bans that expired) pushes
 * what differs, or nothing. The version grows only when something changed, so a worker that
 * missed a delta sees the gap and asks for the snapshot.
 */
export class DataCache {
  readonly counters: CacheCounters = { refreshes: 0, failures: 0, deltas: 0 };
  readonly #options: DataCacheOptions;
  // The snapshot is built when asked for and dropped at every change. Nothing here expires by
  // time: a store outage keeps the last good data instead of none.
  #snapshot: CacheSnapshot | undefined;
  readonly #bans = new Map<string, BanRecord>();
  /** Active bans set by chat moderators, per room ('' for every room): what MAX_ROOM_BANS bounds. */
  readonly #moderatorBans = new Map<string, number>();
  #settings: GlobalSettings = DEFAULT_SETTINGS;
  #revocations: readonly RevocationRecord[] = [];
  #version = 0;
  #loadedAt = 0;
  /**
   * What changed through this server while a store load ran: the load's answer may predate those
   * changes, so it is not applied over them (the rest of it is, so a steady flow of changes never
   * holds back a reload).
   */
  #touched: { readonly bans: Set<string>; settings: boolean; revocations: boolean } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(options: DataCacheOptions) {
    this.#options = options;
  }

  get version(): number {
    return this.#version;
  }

  /** The current snapshot (defaults until the first successful load). */
  snapshot(): CacheSnapshot {
    this.#snapshot ??= {
      version: this.#version,
      settings: this.#settings,
      bans: [...this.#bans.values()],
      revocations: this.#revocations,
      loadedAt: this.#loadedAt,
    };
    return this.#snapshot;
  }

  /** Active bans set by chat moderators in this room (null: global bans). */
  moderatorBanCount(room: string | null): number {
    return this.#moderatorBans.get(room ?? '') ?? 0;
  }

  /**
   * Loads once and starts the refresh timer. With the store known to be down, it starts on the
   * defaults instead (the timer keeps trying); otherwise a failed first load fails the start.
   */
  async start(storeUp = true): Promise<void> {
    if (storeUp) await this.#load();
    else this.#options.logger.warn('store down: serving default settings and no bans until it answers');
    this.#timer = setInterval(() => void this.refresh(), this.#options.refreshMs);
    this.#timer.unref();
  }

  /** A ban stored through this server: pushed at once as a one-ban delta. */
  banAdded(ban: BanRecord): void {
    this.#touched?.bans.add(ban.id);
    this.#apply({ added: [ban], removed: [] });
  }

  /** A ban lifted through this server. */
  banRemoved(id: string): void {
    this.#touched?.bans.add(id);
    if (this.#bans.has(id)) this.#apply({ added: [], removed: [id] });
  }

  /** Tokens revoked through this server: the revocation list is pushed at once. */
  tokensRevoked(revocation: RevocationRecord): void {
    if (this.#touched) this.#touched.revocations = true;
    const others = this.#revocations.filter((r) => r.user !== revocation.user || r.room !== revocation.room);
    this.#apply({ added: [], removed: [], revocations: [...others, revocation] });
  }

  /** Revocations still covering live tokens. */
  revocations(): readonly RevocationRecord[] {
    return this.#revocations;
  }

  settingsChanged(settings: GlobalSettings): void {
    if (this.#touched) this.#touched.settings = true;
    this.#apply({ settings, added: [], removed: [] });
  }

  /**
   * Reloads now. Calls that arrive during a load share one more load after it, so the caller
   * always sees data read after its call.
   */
  refresh(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#running) {
      this.#queued = this.#running.then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
      return this.#queued;
    }
    this.#running = this.#load()
      .catch((error: unknown) => {
        this.counters.failures += 1;
        this.#options.logger.warn({ err: error }, 'cache refresh failed; workers keep the last snapshot');
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #load(): Promise<void> {
    const now = Date.now();
    const touched = { bans: new Set<string>(), settings: false, revocations: false };
    this.#touched = touched;
    let settings: GlobalSettings;
    let bans: BanRecord[];
    let revocations: RevocationRecord[];
    try {
      await this.#pruneExpired(now);
      const { store } = this.#options;
      // A revocation older than the longest token lifetime covers no token still alive.
      [settings, bans, revocations] = await Promise.all([store.getSettings(), store.listBans(now), store.listRevocations(now - MAX_TOKEN_TTL_S * 1000)]);
    } finally {
      this.#touched = undefined;
    }
    this.counters.refreshes += 1;
    // Version 0 means defaults, nothing read yet: the first load makes version 1 even when the
    // store holds only defaults, so workers and the stats can tell the two apart.
    const first = this.#loadedAt === 0;
    this.#loadedAt = now;
    const fresh = new Map(bans.map((ban) => [ban.id, ban]));
    const added = bans.filter((ban) => !this.#bans.has(ban.id) && !touched.bans.has(ban.id));
    const removed = [...this.#bans.keys()].filter((id) => !fresh.has(id) && !touched.bans.has(id));
    const settingsChanged = !touched.settings && JSON.stringify(settings) !== JSON.stringify(this.#settings);
    const revocationsChanged = !touched.revocations && JSON.stringify(revocations) !== JSON.stringify(this.#revocations);
    if (first || added.length > 0 || removed.length > 0 || settingsChanged || revocationsChanged) {
      this.#apply({ ...(settingsChanged ? { settings } : {}), ...(revocationsChanged ? { revocations } : {}), added, removed });
    }
    this.#options.logger.debug({ version: this.#version, refreshes: this.counters.refreshes, bans: this.#bans.size, added: added.length, removed: removed.length }, 'cache refreshed');
  }

  /** Deletes bans that expired from the store, so it does not grow with every timed ban ever set. */
  async #pruneExpired(now: number): Promise<void> {
    for (const ban of this.#bans.values()) {
      if (ban.expiresAt !== null && ban.expiresAt <= now) {
        const pruned = await this.#options.store.removeExpiredBans(now);
        this.#options.logger.debug({ pruned }, 'expired bans pruned');
        return;
      }
    }
  }

  #apply(change: Omit<CacheDelta, 'version'>): void {
    if (change.settings) this.#settings = change.settings;
    if (change.revocations) this.#revocations = change.revocations;
    for (const id of change.removed) {
      const ban = this.#bans.get(id);
      if (!ban) continue;
      this.#bans.delete(id);
      if (ban.by !== undefined) this.#countModeratorBan(ban.room, -1);
    }
    for (const ban of change.added) {
      if (this.#bans.has(ban.id)) continue;
      this.#bans.set(ban.id, ban);
      if (ban.by !== undefined) this.#countModeratorBan(ban.room, 1);
    }
    this.#version += 1;
    this.#snapshot = undefined;
    this.counters.deltas += 1;
    this.#options.publish({ version: this.#version, ...change });
  }

  #countModeratorBan(room: string | null, step: number): void {
    const key = room ?? '';
    const count = (this.#moderatorBans.get(key) ?? 0) + step;
    if (count > 0) this.#moderatorBans.set(key, count);
    else this.#moderatorBans.delete(key);
  }
}
