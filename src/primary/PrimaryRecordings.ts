import type { Config } from '../config/Config.js';
import type { PrimaryNotes } from '../contracts/ipc.js';
import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';
import { RecordingLibrary } from './RecordingLibrary.js';
import { RecordingRetention } from './RecordingRetention.js';
import type { WorkerPool } from './WorkerPool.js';

export interface RecordingStats {
  readonly count: number;
  readonly bytes: number;
  readonly open: number;
  readonly sealed: number;
  readonly deleted: number;
}

/**
 * Recordings as the primary runs them: the library (records, folders, recovery, the API's
 * operations) and its retention, hooked to the worker pool (a dead worker's recordings are
 * sealed). Built by Primary; the library is what the APIs use.
 */
export class PrimaryRecordings {
  readonly library: RecordingLibrary;
  readonly #retention: RecordingRetention;
  readonly #logger: Logger;

  constructor(config: Config, store: Store, pool: WorkerPool, logger: Logger) {
    this.#logger = logger;
    this.library = new RecordingLibrary({
      store: () => store.recordings,
      dir: config.recordingsDir,
      logger,
      rooms: () => store.listRooms(),
      ended: () => void this.#retention.run(),
    });
    this.#retention = new RecordingRetention({
      store: () => store.recordings,
      retentionDays: config.recordingsRetentionDays,
      maxBytes: config.recordingsMaxBytes,
      recording: (room, id) => this.library.recording(room, id),
      remove: (room, id, why) => this.library.remove(room, id, why),
      tidy: () => this.library.sealAbandoned(),
      logger,
    });
    pool.on('died', (slot) => void this.library.workerDied(slot.index).catch((error: unknown) => logger.error({ err: error }, 'recordings of a dead worker not sealed')));
  }

  /** A worker's note (primaryIpcHandlers). */
  noted(slot: number, note: PrimaryNotes['recording.changed']): void {
    void this.library.noted(slot, note);
  }

  /** Once the store answers: recovery, then retention. */
  async start(): Promise<void> {
    await this.library.recover().catch((error: unknown) => this.#logger.error({ err: error }, 'recordings not recovered; their playlists stay open until the next start'));
    this.#retention.start();
  }

  close(): Promise<void> {
    return this.#retention.close();
  }

  /** From the library's memory of what it stored: stats and metrics cost no store read. */
  stats(): RecordingStats {
    return { ...this.library.totals(), ...this.library.counters };
  }
}
