import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '../kit/syncFolder.js';
import { DomainError } from '../contracts/domainErrors.js';
import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';

/** A copy being written: renamed to its final name only once whole, so a crash never leaves a half backup that looks done. */
const PARTIAL = '.partial';
const BACKUP_NAME = /^chatserver-[0-9TZ-]+\.sqlite$/;

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  readonly tookMs: number;
}

export interface StoreBackupsOptions {
  readonly store: Store;
  /** DATA_DIR/backups. */
  readonly dir: string;
  /** Backups kept: after each new one, the oldest beyond this are deleted. */
  readonly keep: number;
  readonly logger: Logger;
}

/** `chatserver-2026-05-01T12-00-00-000Z.sqlite`: ISO time, with `-` for `:` (safe in every file system), sorting by age. */
export function backupName(at: Date): string {
  return `chatserver-${at.toISOString().replaceAll(':', '-').replace('.', '-')}.sqlite`;
}

/**
 * Online backups of the embedded store into DATA_DIR/backups, one at a time. The server keeps
 * serving and writing while a copy is made; the copy is a consistent snapshot of the database
 * as it was when the copy began, which holds every message acknowledged before (an
 * acknowledgement follows the commit).
 */
export class StoreBackups {
  readonly #options: StoreBackupsOptions;
  #running: Promise<BackupResult> | undefined;
  /** The last backup's time: the next one is named at least a millisecond later, never over it. */
  #lastAt = 0;

  constructor(options: StoreBackupsOptions) {
    this.#options = options;
  }

  /** Writes a backup; BACKUP_UNSUPPORTED on MongoDB, BACKUP_RUNNING while another one runs. */
  run(): Promise<BackupResult> {
    const { store } = this.#options;
    const backup = store.backup?.bind(store);
    if (!backup) throw new DomainError('BACKUP_UNSUPPORTED');
    if (this.#running) throw new DomainError('BACKUP_RUNNING');
    this.#running = this.#write(backup).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Waits for a running backup (the store must stay open until it ends). */
  async close(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  async #write(backup: (file: string) => Promise<void>): Promise<BackupResult> {
    const { dir, logger } = this.#options;
    const started = performance.now();
    this.#lastAt = Math.max(Date.now(), this.#lastAt + 1);
    const file = path.join(dir, backupName(new Date(this.#lastAt)));
    const partial = file + PARTIAL;
    try {
      await mkdir(dir, { recursive: true });
      await this.#removePartials();
      logger.info({ file }, 'backup started');
      await backup(partial);
      await rename(partial, file);
      await syncFolder(dir);
    } catch (error) {
      // The copy and the journal SQLite may have written beside it.
      await this.#removePartials().catch(() => undefined);
      logger.error({ err: error, file }, 'backup failed');
      throw new DomainError('BACKUP_FAILED', `The backup could not be written: ${(error as Error).message}`, { cause: error });
    }
    const { size: bytes } = await stat(file);
    const tookMs = Math.round(performance.now() - started);
    logger.info({ file, bytes, tookMs }, 'backup written');
    await this.#removeOld().catch((error: unknown) => logger.warn({ err: error }, 'old backups not removed'));
    return { file, bytes, tookMs };
  }

  /** A copy cut short by a crash, and its journal (only one runs at a time, so any left is stale). */
  async #removePartials(): Promise<void> {
    for (const name of await readdir(this.#options.dir)) {
      if (name.includes(PARTIAL)) await rm(path.join(this.#options.dir, name), { force: true });
    }
  }

  async #removeOld(): Promise<void> {
    const backups = (await readdir(this.#options.dir)).filter((name) => BACKUP_NAME.test(name)).sort();
    for (const name of backups.slice(0, Math.max(0, backups.length - this.#options.keep))) {
      await rm(path.join(this.#options.dir, name), { force: true });
      this.#options.logger.info({ file: name }, 'old backup removed');
    }
  }
}
