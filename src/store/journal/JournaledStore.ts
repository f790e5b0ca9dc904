import type { Logger } from '../../log/createLogger.js';
import { mergeNewest } from '../idOrder.js';
import type { PruneRule } from '../retention.js';
import type { Store } from '../Store.js';
import { StoreHealth } from '../StoreHealth.js';
import type { BanRecord, ChatMessageRecord, GlobalSettings, HistoryQuery, RevocationRecord, RoomRecord } from '../records.js';
import type { LocalJournal} from './LocalJournal.js';
import { type JournalEntry } from './LocalJournal.js';

/** Journal entries replayed per step. */
const REPLAY_BATCH = 500;

/**
 * A remote store (MongoDB) that never loses an acknowledged write to an outage: while the remote
 * store fails, messages and room changes are committed to a LocalJournal on this machine and
 * acknowledged; when StoreHealth sees the remote store again, the journal is replayed in order
 * (idempotently: messages are unique by room and id, room writes are upserts and deletes) and
 * emptied. While the journal is not empty every new write joins its end, so order is kept.
 * Reads merge what the journal holds. Bans, revocations and settings are not journaled: the
 * admin API refuses them while the store is down.
 */
export class JournaledStore implements Store {
  readonly kind;
  readonly health: StoreHealth;
  readonly journal: LocalJournal;
  readonly #remote: Store;
  readonly #logger: Logger;
  #remoteOpened = false;
  #replaying: Promise<void> | undefined;

  constructor(remote: Store, journal: LocalJournal, logger: Logger, options: { probeMs?: number } = {}) {
    this.kind = remote.kind;
    this.#remote = remote;
    this.journal = journal;
    this.#logger = logger;
    this.health = new StoreHealth(() => this.#probe(), logger, options);
    this.health.on('up', () => void this.replay());
  }

  /** Opens the journal (a failure here is a local problem: the start fails), then the remote store. */
  async open(): Promise<void> {
    this.journal.open();
    if (this.journal.depth > 0) this.#logger.warn({ entries: this.journal.depth }, 'the local journal holds writes MongoDB has not taken yet; replaying them once it answers');
    await this.#remote.open();
    this.#remoteOpened = true;
    void this.replay();
  }

  async close(): Promise<void> {
    this.health.close();
    await this.#replaying;
    await this.#remote.close();
    this.journal.close();
  }

  ping(): Promise<void> {
    return this.#remote.ping();
  }

  async listRooms(): Promise<RoomRecord[]> {
    const rooms = new Map((await this.#remote.listRooms()).map((room) => [room.name, room]));
    for (const op of this.journal.roomOps()) {
      if (op.kind === 'saveRoom') rooms.set(op.record.name, op.record);
      else if (op.kind === 'deleteRoom') rooms.delete(op.room);
    }
    return [...rooms.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    return (await this.listRooms()).find((room) => room.name === name) ?? null;
  }

  saveRoom(room: RoomRecord): Promise<void> {
    return this.#write(() => this.#remote.saveRoom(room), () => this.journal.saveRoom(room), undefined);
  }

  deleteRoom(name: string): Promise<boolean> {
    return this.#write(() => this.#remote.deleteRoom(name), () => this.journal.deleteRoom(name), true);
  }

  appendMessages(messages: readonly ChatMessageRecord[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return this.#write(() => this.#remote.appendMessages(messages), () => this.journal.appendMessages(messages), undefined);
  }

  async deleteMessages(room: string): Promise<number> {
    let dropped = 0;
    const removed = await this.#write(() => this.#remote.deleteMessages(room), () => (dropped = this.journal.deleteMessages(room)), 0);
    return removed + dropped;
  }

  async listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]> {
    const journaled = this.journal.depth > 0 ? this.journal.listMessages(room, query.before, query.limit) : [];
    const stored = await this.#remote.listMessages(room, query).catch((error: unknown) => {
      if (journaled.length === 0) throw error;
      this.#logger.warn({ err: error, room }, 'history read failed; serving the journaled messages only');
      return [];
    });
    return journaled.length === 0 ? stored : mergeNewest(stored, journaled, query.limit);
  }

  async listMessagesWithRef(since: number): Promise<ChatMessageRecord[]> {
    const journaled = this.journal.messagesWithRef(since);
    const stored = await this.#remote.listMessagesWithRef(since).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'recent message refs not readable from MongoDB; resends of messages stored there before this start may be stored twice');
      return [];
    });
    return [...stored, ...journaled];
  }

  // History maintenance (export, retention) works on what MongoDB holds: it fails during an outage.
  listMessagesAfter(room: string, after: string | undefined, limit: number): Promise<ChatMessageRecord[]> {
    return this.#remote.listMessagesAfter(room, after, limit);
  }
  pruneMessages(room: string, rule: PruneRule, limit: number): Promise<number> {
    return this.#remote.pruneMessages(room, rule, limit);
  }
  listMessageRooms(after: string | undefined, limit: number): Promise<string[]> {
    return this.#remote.listMessageRooms(after, limit);
  }

  addBan(ban: BanRecord): Promise<void> {
    return this.#remote.addBan(ban);
  }
  listBans(now: number): Promise<BanRecord[]> {
    return this.#remote.listBans(now);
  }
  removeBan(id: string): Promise<boolean> {
    return this.#remote.removeBan(id);
  }
  removeExpiredBans(now: number): Promise<number> {
    return this.#remote.removeExpiredBans(now);
  }
  revokeTokens(revocation: RevocationRecord): Promise<void> {
    return this.#remote.revokeTokens(revocation);
  }
  listRevocations(since: number): Promise<RevocationRecord[]> {
    return this.#remote.listRevocations(since);
  }
  getSettings(): Promise<GlobalSettings> {
    return this.#remote.getSettings();
  }
  updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    return this.#remote.updateSettings(patch);
  }

  /**
   * Replays the journal into the remote store, oldest first, until it is empty or a write
   * fails (then StoreHealth probes, and the next 'up' replays again). One replay at a time.
   */
  replay(): Promise<void> {
    this.#replaying ??= this.#replay().finally(() => (this.#replaying = undefined));
    return this.#replaying;
  }

  async #replay(): Promise<void> {
    const total = this.journal.depth;
    if (total === 0 || !this.#remoteOpened) return;
    this.#logger.info({ entries: total }, 'replaying the local journal into MongoDB');
    try {
      for (let entries = this.journal.oldest(REPLAY_BATCH); entries.length > 0; entries = this.journal.oldest(REPLAY_BATCH)) {
        for (const run of consecutiveRuns(entries)) {
          await this.#apply(run);
          this.journal.removeUpTo(run.at(-1)!.seq);
        }
      }
    } catch (error) {
      this.#logger.error({ err: error, left: this.journal.depth }, 'journal replay stopped: MongoDB failed a write; trying again when it answers');
      this.health.reportFailure(error as Error);
      return;
    }
    this.#logger.info({ entries: total }, 'local journal replayed; writes go straight to MongoDB again');
  }

  async #apply(run: readonly JournalEntry[]): Promise<void> {
    const first = run[0]!;
    switch (first.kind) {
      case 'message':
        return this.#remote.appendMessages(run.map((entry) => (entry as Extract<JournalEntry, { kind: 'message' }>).record));
      case 'saveRoom':
        return this.#remote.saveRoom(first.record);
      case 'deleteRoom':
        await this.#remote.deleteRoom(first.room);
        return;
      case 'deleteMessages':
        await this.#remote.deleteMessages(first.room);
        return;
    }
  }

  /**
   * A write goes to the remote store while it is up and nothing waits in the journal; otherwise,
   * or when the remote write fails, to the journal (durable on this machine), which answers for it.
   */
  async #write<T>(remote: () => Promise<T>, journal: () => unknown, journaledAnswer: T): Promise<T> {
    if (this.health.up && this.journal.depth === 0 && this.#remoteOpened) {
      try {
        return await remote();
      } catch (error) {
        this.health.reportFailure(error as Error);
      }
    }
    journal();
    if (this.health.up && this.#remoteOpened) void this.replay();
    return journaledAnswer;
  }

  async #probe(): Promise<void> {
    if (this.#remoteOpened) return this.#remote.ping();
    await this.#remote.open();
    this.#remoteOpened = true;
  }
}

/** Entries split into runs a single remote call can take: consecutive messages together, every other write alone. */
function consecutiveRuns(entries: readonly JournalEntry[]): JournalEntry[][] {
  const runs: JournalEntry[][] = [];
  for (const entry of entries) {
    const last = runs.at(-1);
    if (entry.kind === 'message' && last?.[0]?.kind === 'message') last.push(entry);
    else runs.push([entry]);
  }
  return runs;
}
