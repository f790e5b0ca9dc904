import { EventEmitter } from 'node:events';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '../../kit/syncFolder.js';
import type { Logger } from '../../kit/createLogger.js';
import type { RecordableSegment } from '../recordable.js';
import { initFile, PLAYLIST_FILE, RecordingPlaylistText, segmentFile } from './recordingPlaylist.js';
import { readRecordingSoFar, type RecordingSoFar } from './reopenRecording.js';

/** What a recording holds so far. */
export interface RecordingProgress {
  readonly segments: number;
  /** Seconds of media listed in the playlist. */
  readonly duration: number;
  /** Bytes of the init and media segments listed. */
  readonly bytes: number;
  /** Why writing stopped early (a full disk, no permission); null while it goes on or after a clean finish. */
  readonly failure: string | null;
  /** Whether the playlist on disk has ENDLIST. */
  readonly sealed: boolean;
}

export interface RecordingWriterEvents {
  /** A segment is on disk and listed. */
  written: [RecordingProgress];
  /** Writing stopped for good (the recording keeps what was listed). */
  failed: [reason: string];
}

/**
 * Segments waiting for the disk at most: past this the disk is too slow for the stream and the
 * recording stops, rather than holding the stream's bytes in memory without bound.
 */
const MAX_PENDING = 30;

/**
 * Writes one recording's folder: `init-<n>.mp4` (a new one at each discontinuity), `seg-<msn>.m4s`
 * and `index.m3u8`. Writes run one at a time in arrival order. Every file is written under a
 * temporary name, flushed, then renamed, so a reader or a crash finds a name only on a complete
 * file (the previous playlist or the new one, never a torn one). A segment is listed only once
 * its file is on the disk: fdatasync, because the playlist must never name bytes a power loss
 * could take back; it costs a flush per segment every second or two, in libuv's pool, off the
 * event loop. The first failed write stops the recording: the
 * playlist on disk still lists only complete segments, and finish() seals it with those. Nothing
 * here ever throws at the live stream.
 */
export class RecordingWriter extends EventEmitter<RecordingWriterEvents> {
  readonly dir: string;
  readonly #logger: Logger;
  readonly #playlist = new RecordingPlaylistText();
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #init: Buffer | null = null;
  #inits = 0;
  #nextMsn = 0;
  #duration = 0;
  #bytes = 0;
  #failure: string | null = null;
  #sealed = false;
  #finishing: Promise<RecordingProgress> | undefined;

  /**
   * `continues`: the folder holds a recording a previous worker made of the same broadcast (a
   * rolling restart): its segments stay listed (the playlist is an EVENT playlist again until
   * finish) and the new ones follow a discontinuity with a new init, numbered on.
   */
  constructor(dir: string, logger: Logger, continues = false) {
    super();
    this.dir = dir;
    this.#logger = logger;
    this.#enqueue(async () => {
      await mkdir(dir, { recursive: true });
      if (continues) this.#goOnFrom(await readRecordingSoFar(dir));
    });
  }

  get progress(): RecordingProgress {
    return { segments: this.#playlist.segments, duration: this.#duration, bytes: this.#bytes, failure: this.#failure, sealed: this.#sealed };
  }

  /** Queues a segment; ignored once the recording failed or finishes. */
  add(segment: RecordableSegment): void {
    if (this.#failure !== null || this.#finishing) return;
    if (this.#pending >= MAX_PENDING) {
      this.#fail(`the disk is too slow for the stream (${MAX_PENDING} segments waiting)`);
      return;
    }
    this.#enqueue(() => this.#write(segment));
  }

  /** Seals the playlist (VOD, ENDLIST) once every queued write is done. Safe to call twice. */
  finish(): Promise<RecordingProgress> {
    this.#finishing ??= this.#queue.then(async () => {
      try {
        await this.#writePlaylist(true);
        this.#sealed = true;
      } catch (error) {
        // The EVENT playlist on disk lists complete segments only; the primary seals it later.
        this.#logger.error({ err: error, dir: this.dir }, 'recording playlist not sealed');
      }
      return this.progress;
    });
    return this.#finishing;
  }

  #goOnFrom(soFar: RecordingSoFar | null): void {
    for (const segment of soFar?.segments ?? []) {
      this.#playlist.add(segment);
      this.#duration += segment.duration;
      this.#nextMsn = Math.max(this.#nextMsn, segment.msn + 1);
      this.#inits = Math.max(this.#inits, segment.init);
    }
    this.#bytes = soFar?.bytes ?? 0;
  }

  #enqueue(write: () => Promise<void>): void {
    this.#pending += 1;
    this.#queue = this.#queue
      .then(async () => {
        if (this.#failure === null) await write();
      })
      .catch((error: unknown) => this.#fail(describe(error)))
      .finally(() => (this.#pending -= 1));
  }

  async #write(segment: RecordableSegment): Promise<void> {
    const init = this.#playlist.segments === 0 || segment.discontinuity || segment.init !== this.#init ? this.#inits + 1 : this.#inits;
    let bytes = 0;
    if (init !== this.#inits) {
      await writeDurably(path.join(this.dir, initFile(init)), segment.init);
      this.#inits = init;
      this.#init = segment.init;
      bytes += segment.init.length;
    }
    const msn = this.#nextMsn;
    await writeDurably(path.join(this.dir, segmentFile(msn)), segment.bytes);
    this.#nextMsn += 1;
    // The segment's name must be on the disk before the playlist that lists it.
    await syncFolder(this.dir);
    this.#playlist.add({ msn, duration: segment.duration, programDateTime: segment.programDateTime, init });
    this.#duration += segment.duration;
    this.#bytes += bytes + segment.bytes.length;
    await this.#writePlaylist(false);
    this.emit('written', this.progress);
  }

  async #writePlaylist(ended: boolean): Promise<void> {
    await writeDurably(path.join(this.dir, PLAYLIST_FILE), Buffer.from(this.#playlist.text(ended)));
    await syncFolder(this.dir);
  }

  #fail(reason: string): void {
    if (this.#failure !== null) return;
    this.#failure = reason;
    this.#logger.error({ dir: this.dir, reason, segments: this.#playlist.segments }, 'recording stopped: it keeps what was written');
    this.emit('failed', reason);
  }
}

/**
 * Writes the whole file under a temporary name, flushes it, then gives it its name: a file
 * under its final name is always complete. What a failure leaves is removed (best effort: the
 * disk may be full; recovery removes it otherwise).
 */
async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.datasync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC') return 'the disk is full (ENOSPC)';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `no permission to write the recording (${code})`;
  return error instanceof Error ? error.message : String(error);
}
