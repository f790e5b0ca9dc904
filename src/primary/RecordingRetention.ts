import { SerialPasses } from '../kit/SerialPasses.js';
import type { Logger } from '../kit/createLogger.js';
import type { RecordingRecord } from '../contracts/records.js';
import type { RecordingStore } from '../store/RecordingStore.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often retention runs besides after each recording's end. */
const INTERVAL_MS = 10 * 60_000;

export interface RecordingRetentionOptions {
  readonly store: () => RecordingStore;
  /** RECORDINGS_RETENTION_DAYS; 0 keeps recordings forever. */
  readonly retentionDays: number;
  /** RECORDINGS_MAX_BYTES; 0: no budget. */
  readonly maxBytes: number;
  /** Whether the recording is being made (never deleted). */
  readonly recording: (room: string, id: string) => boolean;
  readonly remove: (room: string, id: string, why: string) => Promise<void>;
  /** Runs before each pass's rules (recordings left open are sealed first, so they count and may go). */
  readonly tidy?: () => Promise<void>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly intervalMs?: number;
}

/** What retention would delete, oldest first, and why. Pure: `all` is oldest first. */
export function recordingsToDelete(all: readonly RecordingRecord[], rules: { retentionDays: number; maxBytes: number; now: number }, recording: (r: RecordingRecord) => boolean): Array<{ recording: RecordingRecord; why: string }> {
  const doomed: Array<{ recording: RecordingRecord; why: string }> = [];
  const cutoff = rules.retentionDays > 0 ? rules.now - rules.retentionDays * DAY_MS : -Infinity;
  let total = all.reduce((sum, r) => sum + r.bytes, 0);
  for (const r of all) {
    if (recording(r) || r.endedAt === null) continue;
    const old = r.startedAt < cutoff;
    const over = rules.maxBytes > 0 && total > rules.maxBytes;
    if (!old && !over) continue;
    doomed.push({ recording: r, why: old ? `older than RECORDINGS_RETENTION_DAYS (${rules.retentionDays})` : `RECORDINGS_DIR over RECORDINGS_MAX_BYTES (${rules.maxBytes})` });
    total -= r.bytes;
  }
  return doomed;
}

/**
 * Deletes recordings past RECORDINGS_RETENTION_DAYS, then the oldest while the recordings hold
 * more than RECORDINGS_MAX_BYTES, never one being made. Runs every few minutes and after each
 * recording ends (a disk that filled stops a recording: this frees space for the next). Passes
 * never overlap; one asked for during a pass runs after it.
 */
export class RecordingRetention {
  readonly #options: RecordingRetentionOptions;
  readonly #passes = new SerialPasses(() => this.#pass(), undefined);
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RecordingRetentionOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer || this.#passes.closed) return;
    this.#timer = setInterval(() => void this.run(), this.#options.intervalMs ?? INTERVAL_MS).unref();
    void this.run();
  }

  /** A pass now (or right after the running one); resolves when it is done. */
  run(): Promise<void> {
    return this.#passes.run();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#passes.close();
  }

  async #pass(): Promise<void> {
    const { retentionDays, maxBytes, logger } = this.#options;
    await this.#options.tidy?.().catch((error: unknown) => logger.warn({ err: error }, 'open recordings not sealed; trying again at the next pass'));
    if (retentionDays === 0 && maxBytes === 0) return;
    try {
      const all = await this.#options.store().listAllRecordings();
      const doomed = recordingsToDelete(all, { retentionDays, maxBytes, now: (this.#options.now ?? Date.now)() }, (r) => this.#options.recording(r.room, r.id));
      for (const { recording, why } of doomed) {
        if (this.#passes.closed) return;
        await this.#options.remove(recording.room, recording.id, why);
      }
    } catch (error) {
      logger.warn({ err: error }, 'recording retention failed; trying again at the next pass');
    }
  }
}
