import type { Logger } from '../../kit/createLogger.js';
import type { Store } from '../Store.js';
import type { OutboxEntry } from '../../contracts/webhookRecords.js';
import type { JournalEntry, LocalJournal } from './LocalJournal.js';

/** Journal entries read per step. */
const REPLAY_BATCH = 500;

/** How a replay ended: the journal empty, stopped for a shutdown, or cut short by an outage. */
export type ReplayEnd = { readonly kind: 'emptied' } | { readonly kind: 'stopped' } | { readonly kind: 'outage'; readonly error: Error };

export interface JournalReplayerOptions {
  readonly remote: Store;
  readonly journal: LocalJournal;
  readonly logger: Logger;
  /** Whether a remote failure is an outage (stop, try again later) or a refusal of that entry (set it aside, go on). */
  readonly isOutage: (error: unknown) => boolean;
  /** Checked before each remote call: true stops the replay there (a shutdown), the rest staying in the journal. */
  readonly stopping: () => boolean;
  /** Webhook outbox entries the remote store now has: their deliveries may start. */
  readonly released: (entries: readonly OutboxEntry[]) => void;
}

/**
 * Writes the journal into the remote store, oldest first, one remote call per step (consecutive
 * messages together), removing each step's entries once the store has them. Writes are
 * idempotent (messages unique by room and id, room writes upserts and deletes, outbox events
 * and deliveries unique by id), so a step cut short by a crash or an outage is simply done again.
 * An outbox entry follows the write that raised it and is released to the dispatcher once stored.
 */
export class JournalReplayer {
  readonly #options: JournalReplayerOptions;

  constructor(options: JournalReplayerOptions) {
    this.#options = options;
  }

  async run(): Promise<ReplayEnd> {
    const { journal, isOutage, stopping } = this.#options;
    for (let entries = journal.oldest(REPLAY_BATCH); entries.length > 0; entries = journal.oldest(REPLAY_BATCH)) {
      const steps = consecutiveRuns(entries);
      for (let step = steps.shift(); step; step = steps.shift()) {
        if (stopping()) return { kind: 'stopped' };
        try {
          await this.#apply(step);
          journal.removeUpTo(step.at(-1)!.seq);
          const first = step[0]!;
          if (first.kind === 'outbox') this.#options.released(first.entries);
        } catch (error) {
          if (isOutage(error)) return { kind: 'outage', error: error instanceof Error ? error : new Error(String(error)) };
          // The store answered and refused. A batch fails whole for one message it refuses:
          // its messages go again one by one to find which (those stored already stay stored once).
          if (step.length > 1) steps.unshift(...step.map((entry) => [entry]));
          else this.#setAside(step[0]!, error);
        }
      }
    }
    return { kind: 'emptied' };
  }

  async #apply(run: readonly JournalEntry[]): Promise<void> {
    const { remote } = this.#options;
    const first = run[0]!;
    switch (first.kind) {
      case 'message':
        return remote.appendMessages(run.map((entry) => (entry as Extract<JournalEntry, { kind: 'message' }>).record));
      case 'saveRoom':
        return remote.saveRoom(first.record);
      case 'deleteRoom':
        await remote.deleteRoom(first.room);
        return;
      case 'deleteMessages':
        await remote.deleteMessages(first.room);
        return;
      case 'outbox':
        return remote.webhooks.appendEvents(first.entries);
    }
  }

  /** Retrying an entry the store refuses would refuse it again and hold up everything after it: it moves aside, kept and logged. */
  #setAside(entry: JournalEntry, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.#options.journal.setEntryAside(entry.seq, reason);
    const where =
      entry.kind === 'message' ? { room: entry.record.room, id: entry.record.id }
      : entry.kind === 'saveRoom' ? { room: entry.record.name }
      : entry.kind === 'outbox' ? { events: entry.entries.map((e) => e.event.id) }
      : { room: entry.room };
    this.#options.logger.error(
      { err: error, kind: entry.kind, ...where, setAside: this.#options.journal.setAside },
      'MongoDB refused a journaled write (not an outage): set aside in the local journal (table set_aside) for an operator; the replay goes on',
    );
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
