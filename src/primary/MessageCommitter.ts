import type { Logger } from '../kit/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { CommitAnswer } from '../contracts/ipc.js';
import type { Store } from '../store/Store.js';
import type { ChatMessageRecord } from '../contracts/records.js';
import { REF_WINDOW_MS, SenderRefs } from './SenderRefs.js';
import type { OutboxEntry } from '../contracts/webhookRecords.js';

/** The webhook outbox of a commit: `message.created` entries stored in the same transaction, dispatched once it is durable. */
export interface CommitOutbox {
  messageEntries(records: readonly ChatMessageRecord[]): OutboxEntry[];
  committed(entries: readonly OutboxEntry[]): void;
}

export interface MessageCommitterOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Messages in one transaction at most (1: each message alone, which group commit is measured against). */
  readonly maxBatch?: number;
  /** Messages waiting for a commit beyond which new ones are refused (the store cannot keep up). */
  readonly maxWaiting?: number;
  /** Observes each commit: messages in it and milliseconds it took. */
  readonly observe?: (messages: number, ms: number, ok: boolean) => void;
  readonly outbox?: CommitOutbox;
}

export interface MessageCommitterCounters {
  /** Messages waiting for the commit in progress or the next one. */
  waiting: number;
  committed: number;
  commits: number;
  /** Commits that failed: their senders got NOT_PERSISTED. */
  commitFailures: number;
  /** Resends answered with the first message of the same ref. */
  duplicates: number;
  /** Refused because too many waited for the store. */
  refused: number;
  /** Refused because they arrived after their deadline (the primary was too slow to take them). */
  expired: number;
}

interface Waiting {
  readonly record: ChatMessageRecord;
  /** Its place in the order messages were taken: flush() waits up to a place. */
  readonly seq: number;
  readonly done: { resolve(): void; reject(error: Error): void };
}

/**
 * Chat messages go to the store through here, and their senders are acknowledged only once the
 * store has committed them durably. Group commit: while one transaction is in flight,
 * everything that arrives waits for the next one, so the cost of a durable commit (an fsync) is
 * shared by every message of the batch instead of paid by each.
 */
export class MessageCommitter {
  readonly counters: MessageCommitterCounters = { waiting: 0, committed: 0, commits: 0, commitFailures: 0, duplicates: 0, refused: 0, expired: 0 };
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxWaiting: number;
  readonly #observe: NonNullable<MessageCommitterOptions['observe']>;
  readonly #outbox: CommitOutbox | undefined;
  readonly #refs = new SenderRefs();
  #queue: Waiting[] = [];
  /** Messages taken so far, and how many of the first ones are settled (commits are in order). */
  #taken = 0;
  #settled = 0;
  #flushes: Array<{ readonly upTo: number; resolve(): void }> = [];
  #committing: Promise<void> | undefined;
  #scheduled = false;
  #failing = false;
  /** Batches are arriving after their deadline (logged once per episode). */
  #late = false;

  constructor(options: MessageCommitterOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 2_000);
    this.#maxWaiting = options.maxWaiting ?? 50_000;
    this.#observe = options.observe ?? (() => undefined);
    this.#outbox = options.outbox;
  }

  /** Remembers the refs of the messages stored in the last window, so resends after a restart are recognised. */
  async loadRecentRefs(now = Date.now()): Promise<void> {
    const recent = await this.#store.listMessagesWithRef(now - REF_WINDOW_MS);
    for (const record of recent) this.#refs.rememberStored(record);
  }

  /**
   * Commits messages from a worker and resolves, once each is durable or has failed, with one
   * answer per message. Throws DEADLINE_PASSED, taking none, when they arrive after `deadline`
   * (the worker then tells their senders they were not saved), and BUFFER_FULL when too many
   * wait already.
   */
  async commit(messages: readonly ChatMessageRecord[], deadline = Number.POSITIVE_INFINITY): Promise<CommitAnswer[]> {
    this.#admit(messages.length, deadline);
    const now = Date.now();
    return Promise.all(
      messages.map(async (record): Promise<CommitAnswer> => {
        const first = this.#refs.find(record, now);
        const resend = first !== undefined;
        if (resend) this.counters.duplicates += 1;
        const committed = first?.committed ?? this.#enqueue(record);
        if (!resend) this.#refs.remember(record, committed, now);
        try {
          await committed;
        } catch (error) {
          if (!resend) this.#refs.forget(record);
          return { stored: false, reason: (error as Error).message };
        }
        return resend ? { stored: true, first: this.#refs.firstOf(first, record) } : { stored: true };
      }),
    );
  }

  /** A page of history, straight from the store: what it holds is what was acknowledged. */
  async history(room: string, before: string | undefined, limit: number, deadline = Number.POSITIVE_INFINITY): Promise<ChatMessageRecord[]> {
    if (Date.now() > deadline) throw new IpcError('DEADLINE_PASSED', 'history read asked for too long ago; skipped');
    return this.#store.listMessages(room, { before, limit });
  }

  /** A deleted room's refs: a message sent to a new room of the same name is new. */
  forgetRoom(room: string): void {
    this.#refs.forgetRoom(room);
  }

  /**
   * Resolves once every message taken before this call is committed (or has failed), however
   * many keep arriving after it.
   */
  flush(): Promise<void> {
    const upTo = this.#taken;
    if (this.#settled >= upTo) return Promise.resolve();
    return new Promise<void>((resolve) => this.#flushes.push({ upTo, resolve }));
  }

  /** For shutdown: the last commits. */
  close(): Promise<void> {
    return this.flush();
  }

  #admit(count: number, deadline: number): void {
    const lateMs = Date.now() - deadline;
    if (lateMs > 0) {
      this.counters.expired += count;
      if (!this.#late) this.#logger.warn({ lateMs, messages: count }, 'chat messages arrived after their deadline; refused (their senders get NOT_PERSISTED)');
      this.#late = true;
      throw new IpcError('DEADLINE_PASSED', `${count} messages arrived ${lateMs} ms after their deadline; not taken`);
    }
    if (this.#late) this.#logger.info({ expired: this.counters.expired }, 'chat messages arrive in time again');
    this.#late = false;
    if (this.#queue.length + count > this.#maxWaiting) {
      this.counters.refused += count;
      throw new IpcError('BUFFER_FULL', `${this.#queue.length} messages wait for the store; refusing more`);
    }
  }

  #enqueue(record: ChatMessageRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#taken += 1;
      this.#queue.push({ record, seq: this.#taken, done: { resolve, reject } });
      this.counters.waiting = this.#queue.length;
      // After this turn of the event loop: every batch the workers sent meanwhile joins this commit.
      if (!this.#scheduled && !this.#committing) {
        this.#scheduled = true;
        setImmediate(() => void this.#commitNext());
      }
    });
  }

  #commitNext(): Promise<void> {
    this.#scheduled = false;
    if (this.#committing || this.#queue.length === 0) return this.#committing ?? Promise.resolve();
    const batch = this.#queue.slice(0, this.#maxBatch);
    this.#queue = this.#queue.slice(batch.length);
    this.#committing = this.#write(batch)
      .catch((error: unknown) => this.#logger.error({ err: error }, 'commit bookkeeping failed'))
      .finally(() => {
        this.#committing = undefined;
        this.counters.waiting = this.#queue.length;
        this.#settle(batch.at(-1)!.seq);
        if (this.#queue.length > 0) void this.#commitNext();
      });
    return this.#committing;
  }

  /** Messages up to `seq` are settled: the flushes waiting for them end. */
  #settle(seq: number): void {
    this.#settled = seq;
    const waiting = this.#flushes;
    this.#flushes = waiting.filter((flush) => flush.upTo > seq);
    for (const flush of waiting) if (flush.upTo <= seq) flush.resolve();
  }

  async #write(batch: readonly Waiting[]): Promise<void> {
    const started = performance.now();
    const records = batch.map((waiting) => waiting.record);
    // Empty unless an enabled endpoint asked for message.created: chat pays nothing otherwise.
    const outbox = this.#outbox?.messageEntries(records) ?? [];
    try {
      await this.#store.appendMessages(records, outbox);
    } catch (error) {
      this.#observe(batch.length, performance.now() - started, false);
      this.counters.commitFailures += 1;
      if (!this.#failing) this.#logger.error({ err: error, messages: batch.length }, 'chat messages not committed; their senders get NOT_PERSISTED');
      this.#failing = true;
      const failure = new IpcError('FAILED', `the store did not commit the messages: ${(error as Error).message}`);
      for (const waiting of batch) waiting.done.reject(failure);
      return;
    }
    this.#observe(batch.length, performance.now() - started, true);
    if (this.#failing) this.#logger.info('the store commits chat messages again');
    this.#failing = false;
    this.counters.commits += 1;
    this.counters.committed += batch.length;
    for (const waiting of batch) waiting.done.resolve();
    this.#outbox?.committed(outbox);
  }
}
