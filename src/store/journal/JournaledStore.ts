import type { Logger } from '../../kit/createLogger.js';
import { mergeNewest } from '../idOrder.js';
import type { PruneRule } from '../retention.js';
import type { HistoryQuery, RoomRecord, Store, TimeSpanQuery } from '../Store.js';
import { StoreHealth } from '../StoreHealth.js';
import type { BanRecord, ChatMessageRecord, GlobalSettings, RevocationRecord } from '../../contracts/records.js';
import { JournalReplayer } from './JournalReplayer.js';
import type { OutboxEntry } from '../../contracts/webhookRecords.js';
import type { LocalJournal } from './LocalJournal.js';
import { journaledWebhooks } from './journaledWebhooks.js';

export interface JournaledStoreOptions {
  readonly probeMs?: number;
  /**
   * Whether a remote failure is an outage (the write is journaled, the store probed until it
   * answers) rather than a refusal of that write (thrown to its caller; set aside in a replay).
   * Default: every failure is an outage (for stores whose errors are not told apart).
   */
  readonly isOutage?: (error: unknown) => boolean;
}

/** History maintenance refused while the journal holds writes MongoDB has not taken: it would miss them, or they would come back after it. */
export class JournalPendingError extends Error {}

/**
 * A remote store (MongoDB) that never loses an acknowledged write to an outage: while the remote
 * store fails, messages and room changes are committed to a LocalJournal on this machine and
 * acknowledged; when StoreHealth sees the remote store again, the journal is replayed in order
 * (idempotently: messages are unique by room and id, room writes are upserts and deletes) and
 * emptied. While the journal is not empty every new write joins its end, so order is kept.
 * Reads merge what the journal holds. Bans, revocations and settings are not journaled: the
 * admin API refuses them while the store is down. A failure `isOutage` does not call an outage
 * (MongoDB answered and refused that write) is not journaled: retried, it would fail the same
 * way, and the store would go down and up forever with the journal filling.
 */
export class JournaledStore implements Store {
  readonly kind;
  readonly health: StoreHealth;
  readonly journal: LocalJournal;
  readonly #remote: Store;
  readonly #logger: Logger;
  readonly #isOutage: (error: unknown) => boolean;
  readonly #replayer: JournalReplayer;
  readonly #webhooks: Store['webhooks'];
  /** Outbox entries that went to the journal: dispatched once replayed, not when their write returns. */
  readonly #heldBack = new WeakSet<OutboxEntry>();
  readonly #released: Array<(entries: readonly OutboxEntry[]) => void> = [];
  #remoteOpened = false;
  #replaying: Promise<void> | undefined;
  #closing = false;

  constructor(remote: Store, journal: LocalJournal, logger: Logger, options: JournaledStoreOptions = {}) {
    this.kind = remote.kind;
    this.#remote = remote;
    this.journal = journal;
    this.#logger = logger;
    this.#isOutage = options.isOutage ?? (() => true);
    const released = (entries: readonly OutboxEntry[]) => {
      for (const listener of this.#released) listener(entries);
    };
    this.#replayer = new JournalReplayer({ remote, journal, logger, isOutage: this.#isOutage, stopping: () => this.#closing, released });
    this.#webhooks = journaledWebhooks(() => remote.webhooks, {
      appendEvents: (entries) => this.#appendOutbox(entries),
      heldBack: (entry) => this.#heldBack.has(entry),
      onReleased: (listener) => void this.#released.push(listener),
    });
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

  /**
   * Waits for the replay step in flight only (a replay may hold a million entries, past the
   * shutdown deadline): what is left stays in the journal for the next start.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.health.close();
    await this.#replaying;
    await this.#remote.close();
    this.journal.close();
  }

  ping(): Promise<void> {
    return this.#remote.ping();
  }

  /** Straight to MongoDB, not journaled (see RecordingStore): a failed write is the caller's to log. */
  get recordings(): Store['recordings'] {
    return this.#remote.recordings;
  }

  /** Raised events are journaled like room and chat writes; the rest goes straight to MongoDB (journaledWebhooks.ts). */
  get webhooks(): Store['webhooks'] {
    return this.#webhooks;
  }

  async listRooms(): Promise<RoomRecord[]> {
    // The journal first: a replay step landing while MongoDB answers moves an entry from the
    // journal into MongoDB, so read after MongoDB's answer it would be in neither (a journaled
    // create lost, a journaled delete undone). Read before, it is applied over either answer.
    const ops = this.journal.roomOps();
    const rooms = new Map((await this.#remote.listRooms()).map((room) => [room.name, room]));
    for (const op of ops) {
      if (op.kind === 'saveRoom') rooms.set(op.record.name, op.record);
      else if (op.kind === 'deleteRoom') rooms.delete(op.room);
    }
    return [...rooms.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async getRoom(name: string): Promise<RoomRecord | null> {
    return (await this.listRooms()).find((room) => room.name === name) ?? null;
  }

  // A write's webhook outbox entries travel with it: into MongoDB in its transaction, or into
  // the journal in the same journal transaction, held back from the dispatcher until replayed.
  saveRoom(room: RoomRecord, outbox: readonly OutboxEntry[] = []): Promise<void> {
    return this.#write(() => this.#remote.saveRoom(room, outbox), () => this.#hold(outbox, () => this.journal.saveRoom(room, outbox)), undefined);
  }

  deleteRoom(name: string, outbox: readonly OutboxEntry[] = []): Promise<boolean> {
    return this.#write(() => this.#remote.deleteRoom(name, outbox), () => this.#hold(outbox, () => this.journal.deleteRoom(name, outbox)), true);
  }

  appendMessages(messages: readonly ChatMessageRecord[], outbox: readonly OutboxEntry[] = []): Promise<void> {
    if (messages.length === 0) return this.#appendOutbox(outbox);
    return this.#write(() => this.#remote.appendMessages(messages, outbox), () => this.#hold(outbox, () => this.journal.appendMessages(messages, outbox)), undefined);
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

  // History maintenance (export, an operator's delete, retention) works on what MongoDB holds,
  // once it holds everything acknowledged: it fails while the journal cannot be replayed.
  async listMessagesAfter(room: string, after: string | undefined, limit: number): Promise<ChatMessageRecord[]> {
    await this.#replayed();
    return this.#remote.listMessagesAfter(room, after, limit);
  }
  async listMessagesBetween(room: string, span: TimeSpanQuery): Promise<ChatMessageRecord[]> {
    await this.#replayed();
    return this.#remote.listMessagesBetween(room, span);
  }
  async pruneMessages(room: string, rule: PruneRule, limit: number): Promise<number> {
    await this.#replayed();
    return this.#remote.pruneMessages(room, rule, limit);
  }
  async listMessageRooms(after: string | undefined, limit: number): Promise<string[]> {
    await this.#replayed();
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
   * Replays the journal into the remote store, oldest first, until it is empty, a write fails
   * with an outage (then StoreHealth probes, and the next 'up' replays again) or the store
   * closes. One replay at a time.
   */
  replay(): Promise<void> {
    this.#replaying ??= this.#replay().finally(() => (this.#replaying = undefined));
    return this.#replaying;
  }

  async #replay(): Promise<void> {
    const total = this.journal.depth;
    if (total === 0 || !this.#remoteOpened || this.#closing) return;
    this.#logger.info({ entries: total }, 'replaying the local journal into MongoDB');
    const end = await this.#replayer.run();
    const left = this.journal.depth;
    switch (end.kind) {
      case 'outage':
        this.#logger.error({ err: end.error, left }, 'journal replay stopped: MongoDB failed a write; trying again when it answers');
        this.health.reportFailure(end.error);
        return;
      case 'stopped':
        this.#logger.info({ left }, 'journal replay stopped for the shutdown; the rest is replayed after the next start');
        return;
      case 'emptied':
        this.#logger.info({ entries: total, setAside: this.journal.setAside }, 'local journal replayed; writes go straight to MongoDB again');
    }
  }

  /** Resolves once MongoDB holds every journaled write (replaying them now if need be); throws when it cannot. */
  async #replayed(): Promise<void> {
    if (this.journal.depth === 0) return;
    await this.replay();
    if (this.journal.depth > 0) {
      throw new JournalPendingError(`the local journal holds ${this.journal.depth} writes MongoDB has not taken yet; history maintenance waits until they are replayed`);
    }
  }

  /**
   * A write goes to the remote store while it is up and nothing waits in the journal; otherwise,
   * or when the remote write fails with an outage, to the journal (durable on this machine),
   * which answers for it. A remote refusal is the caller's answer.
   */
  async #write<T>(remote: () => Promise<T>, journal: () => unknown, journaledAnswer: T): Promise<T> {
    if (this.health.up && this.journal.depth === 0 && this.#remoteOpened) {
      try {
        return await remote();
      } catch (error) {
        // MongoDB answered and refused this write: the caller learns why, the store stays up.
        if (!this.#isOutage(error)) throw error;
        this.health.reportFailure(error instanceof Error ? error : new Error(String(error)));
      }
    }
    journal();
    if (this.health.up && this.#remoteOpened) void this.replay();
    return journaledAnswer;
  }

  #appendOutbox(outbox: readonly OutboxEntry[]): Promise<void> {
    if (outbox.length === 0) return Promise.resolve();
    return this.#write(() => this.#remote.webhooks.appendEvents(outbox), () => this.#hold(outbox, () => this.journal.appendOutbox(outbox)), undefined);
  }

  /** Journals a write with its outbox; once it is durable, the entries are marked held back. */
  #hold(outbox: readonly OutboxEntry[], journal: () => void): void {
    journal();
    for (const entry of outbox) this.#heldBack.add(entry);
  }

  async #probe(): Promise<void> {
    if (this.#remoteOpened) return this.#remote.ping();
    await this.#remote.open();
    this.#remoteOpened = true;
  }
}
