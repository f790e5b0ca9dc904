import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../contracts/domainErrors.js';
import type { PrimaryNotes } from '../contracts/ipc.js';
import type { RecordingRecord } from '../contracts/records.js';
import { isRecordingId } from '../hls/recording/recordingIds.js';
import { sealRecording } from '../hls/recording/sealRecording.js';
import type { Logger } from '../kit/createLogger.js';
import { ROOM_NAME_PATTERN } from '../kit/roomName.js';
import type { RecordingStore } from '../store/RecordingStore.js';

export interface RecordingLibraryOptions {
  readonly store: () => RecordingStore;
  /** RECORDINGS_DIR. */
  readonly dir: string;
  readonly logger: Logger;
  /** The stored rooms (a folder of a deleted room's recording is removed at recovery). */
  readonly rooms: () => Promise<ReadonlyArray<{ readonly name: string }>>;
  /** A recording ended: retention may have work (the disk budget). */
  readonly ended: () => void;
}

export interface RecordingCounters {
  /** Recordings sealed from disk (a crash, a dead worker, a failed write). */
  sealed: number;
  /** Recordings deleted (by an operator, with their room, or by retention). */
  deleted: number;
}

/**
 * The primary's side of recordings: the store's records, written from the workers' notes, and
 * the folders in RECORDINGS_DIR/<room>/<id>. It seals what a worker left open (the worker died,
 * the server was killed: the folder's playlist gets ENDLIST with the segments fully written) at
 * start and when a worker dies, answers the API, and deletes recordings.
 */
export class RecordingLibrary {
  readonly counters: RecordingCounters = { sealed: 0, deleted: 0 };
  readonly #options: RecordingLibraryOptions;
  readonly #logger: Logger;
  /** Recordings being made, by key, with the worker slot making them. */
  readonly #open = new Map<string, number>();
  /** The store write under way per recording: the next waits for it. */
  readonly #writes = new Map<string, Promise<void>>();
  /** Every stored recording's size and whether it is still open, by key: the stats without a store read. */
  readonly #known = new Map<string, { readonly bytes: number; readonly open: boolean }>();

  constructor(options: RecordingLibraryOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  folder(room: string, id: string): string {
    return path.join(this.#options.dir, room, id);
  }

  /** Whether the recording is being made now (it may not be deleted). */
  recording(room: string, id: string): boolean {
    return this.#open.has(key(room, id));
  }

  /** How many recordings there are, their bytes, and how many are open (as last stored). */
  totals(): { count: number; bytes: number; open: number } {
    let bytes = 0;
    let open = 0;
    for (const known of this.#known.values()) {
      bytes += known.bytes;
      if (known.open) open += 1;
    }
    return { count: this.#known.size, bytes, open };
  }

  /**
   * A worker's `recording.changed` note. The notes of one recording are stored one after the
   * other: a progress note's write still under way never lands after the end's.
   */
  noted(slot: number, note: PrimaryNotes['recording.changed']): Promise<void> {
    return this.#inOrder(key(note.recording.room, note.recording.id), () => this.#noted(slot, note));
  }

  /**
   * Records the store has open though no worker makes them (the end's note could not be stored:
   * MongoDB was away) are sealed from their folders. At start, and before every retention pass.
   */
  async sealAbandoned(): Promise<void> {
    for (const open of await this.#options.store().listOpenRecordings()) {
      const name = key(open.room, open.id);
      if (this.#open.has(name)) continue;
      await this.#inOrder(name, async () => {
        const now = await this.#options.store().getRecording(open.room, open.id);
        if (now && now.endedAt === null && !this.#open.has(name)) await this.#seal(now);
      }).catch((error: unknown) => this.#logger.error({ err: error, room: open.room, id: open.id }, 'recording not sealed'));
    }
  }

  async #inOrder(name: string, work: () => Promise<void>): Promise<void> {
    const previous = this.#writes.get(name) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#writes.set(name, next);
    try {
      await next;
    } finally {
      if (this.#writes.get(name) === next) this.#writes.delete(name);
    }
  }

  async #noted(slot: number, { recording, failure, sealed }: PrimaryNotes['recording.changed']): Promise<void> {
    const name = key(recording.room, recording.id);
    if (!ROOM_NAME_PATTERN.test(recording.room) || !isRecordingId(recording.id)) {
      this.#logger.warn({ slot, room: recording.room, id: recording.id }, 'recording note with a bad room or id ignored');
      return;
    }
    if (recording.endedAt === null) this.#open.set(name, slot);
    else this.#open.delete(name);
    if (failure !== null) this.#logger.error({ room: recording.room, id: recording.id, failure }, 'recording stopped early: it keeps what was written');
    try {
      if (recording.endedAt !== null && (!sealed || recording.duration === 0)) await this.#seal(recording);
      else await this.#save(recording);
    } catch (error) {
      this.#logger.error({ err: error, room: recording.room, id: recording.id }, 'recording not stored');
    }
    if (recording.endedAt !== null) this.#options.ended();
  }

  /** A worker died: what it was recording is sealed from disk. */
  async workerDied(slot: number): Promise<void> {
    const store = this.#options.store();
    for (const [name, owner] of [...this.#open]) {
      if (owner !== slot) continue;
      this.#open.delete(name);
      const [room, id] = name.split('/') as [string, string];
      const stored = await store.getRecording(room, id).catch(() => null);
      if (stored) await this.#seal(stored).catch((error: unknown) => this.#logger.error({ err: error, room, id }, 'recording not sealed'));
    }
  }

  /**
   * At start: every recording the store says is open (and no worker is making) is sealed from
   * its folder, and every folder the store does not know (its first note never arrived) is
   * sealed and stored, or removed when its room is gone.
   */
  async recover(): Promise<void> {
    const store = this.#options.store();
    await this.sealAbandoned();
    const known = new Set((await store.listAllRecordings()).map((r) => key(r.room, r.id)));
    const rooms = new Set((await this.#options.rooms()).map((room) => room.name));
    for (const room of await entries(this.#options.dir)) {
      if (!ROOM_NAME_PATTERN.test(room)) continue;
      for (const id of await entries(path.join(this.#options.dir, room))) {
        if (!isRecordingId(id) || known.has(key(room, id)) || this.recording(room, id)) continue;
        if (!rooms.has(room)) await rm(this.folder(room, id), { recursive: true, force: true });
        else await this.#seal({ room, id, startedAt: Number.parseInt(id.slice(0, 9), 36), endedAt: null, duration: 0, bytes: 0 });
      }
    }
    for (const recording of await store.listAllRecordings()) this.#remember(recording);
  }

  list(room: string): Promise<RecordingRecord[]> {
    return this.#options.store().listRecordings(room);
  }

  async get(room: string, id: string): Promise<RecordingRecord> {
    const found = isRecordingId(id) ? await this.#options.store().getRecording(room, id) : null;
    if (!found) throw new DomainError('RECORDING_NOT_FOUND');
    return found;
  }

  /** Deletes one (DomainError RECORDING_IN_PROGRESS while it is being made: stop the stream first). */
  async delete(room: string, id: string, why: string): Promise<void> {
    await this.get(room, id);
    if (this.recording(room, id)) throw new DomainError('RECORDING_IN_PROGRESS');
    await this.remove(room, id, why);
  }

  /** A deleted room's recordings go with it, like its chat history. */
  async forgetRoom(room: string): Promise<void> {
    await rm(path.join(this.#options.dir, room), { recursive: true, force: true });
    const deleted = await this.#options.store().deleteRoomRecordings(room);
    for (const name of [...this.#known.keys()]) if (name.startsWith(`${room}/`)) this.#known.delete(name);
    this.counters.deleted += deleted;
    if (deleted > 0) this.#logger.info({ room, deleted }, 'room deleted: its recordings are deleted');
  }

  /** Removes the files, then the record (a record without files would be listed yet 404). */
  async remove(room: string, id: string, why: string): Promise<void> {
    await rm(this.folder(room, id), { recursive: true, force: true });
    await this.#options.store().deleteRecording(room, id);
    this.#known.delete(key(room, id));
    this.counters.deleted += 1;
    this.#logger.info({ room, id, why }, 'recording deleted');
  }

  /** Ends the recording from its folder; one with nothing playable is deleted. */
  async #seal(recording: RecordingRecord): Promise<void> {
    const sealed = await sealRecording(this.folder(recording.room, recording.id)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return { segments: 0, duration: 0, bytes: 0, endedAt: null };
      throw error;
    });
    if (sealed.segments === 0) {
      await this.remove(recording.room, recording.id, 'nothing was recorded');
      return;
    }
    this.counters.sealed += recording.endedAt === null ? 1 : 0;
    await this.#save({ ...recording, endedAt: recording.endedAt ?? sealed.endedAt, duration: sealed.duration, bytes: sealed.bytes });
    if (recording.endedAt === null) this.#logger.warn({ room: recording.room, id: recording.id, ...sealed }, 'recording left open (crash or dead worker) sealed from disk');
  }

  async #save(recording: RecordingRecord): Promise<void> {
    await this.#options.store().saveRecording(recording);
    this.#remember(recording);
  }

  #remember(recording: RecordingRecord): void {
    this.#known.set(key(recording.room, recording.id), { bytes: recording.bytes, open: recording.endedAt === null });
  }
}

const key = (room: string, id: string): string => `${room}/${id}`;

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
}
