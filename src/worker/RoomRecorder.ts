import type { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from '../kit/createLogger.js';
import type { PrimaryNotes } from '../contracts/ipc.js';
import type { LiveStreamEvents } from '../hls/streamTypes.js';
import type { RecordableSegment } from '../hls/recordable.js';
import { newRecordingId } from '../hls/recording/recordingIds.js';
import { RecordingWriter, type RecordingProgress } from '../hls/recording/RecordingWriter.js';
import type { CarriedRecording } from '../hls/suspendedStream.js';

export type RecordingNote = PrimaryNotes['recording.changed'];

export interface RoomRecorderOptions {
  readonly room: string;
  /** The room's folder of recordings: RECORDINGS_DIR/<room>. */
  readonly dir: string;
  /** The room setting `record` (default true). */
  readonly enabled: boolean;
  readonly logger: Logger;
  readonly counters: { recordingFailures: number };
  /** Tells the primary (the `recording.changed` IPC note). */
  readonly notify: (note: RecordingNote) => void;
  /** At most one progress note per this many ms (a start, an end and a failure are told at once). */
  readonly progressMs?: number;
}

interface Current {
  readonly id: string;
  readonly startedAt: number;
  readonly writer: RecordingWriter;
  notifiedAt: number;
}

/**
 * Records a room's broadcasts: one recording per broadcast, from `broadcastStarted` (or its first
 * `recordable` segment, whichever comes first) to `broadcastEnded`. A producer that drops and
 * comes back within the grace continues the same broadcast: its segments carry a discontinuity
 * and land in the same recording. A segment after `broadcastEnded` begins a new recording, so
 * a stream hands its last segment before it ends. A failed write stops that recording (the
 * broadcast goes on, unrecorded) and is told to the primary at once.
 */
export class RoomRecorder {
  readonly #options: RoomRecorderOptions;
  readonly #logger: Logger;
  readonly #progressMs: number;
  #current: Current | null = null;
  /** A recording the previous worker made of a broadcast suspended by a rolling restart: the broadcast's next segment goes on in it. */
  #continues: CarriedRecording | null = null;
  /** Finishing recordings: close() waits for them. */
  readonly #finishing = new Set<Promise<void>>();
  #closed = false;

  constructor(options: RoomRecorderOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'recorder' });
    this.#progressMs = options.progressMs ?? 5_000;
  }

  /** Follows a live stream's broadcasts. */
  attach(stream: EventEmitter<LiveStreamEvents>): void {
    stream.on('broadcastStarted', (startedAt) => this.#open(startedAt));
    stream.on('recordable', (segment) => this.#segment(segment));
    stream.on('broadcastEnded', (endedAt) => {
      this.#continues = null;
      void this.#end(endedAt);
    });
  }

  /** The id of the recording being made, if any (or the one a suspended broadcast goes on in). */
  get recording(): string | null {
    return this.#current?.id ?? this.#continues?.id ?? null;
  }

  /** The recording being made (a rolling restart's note carries it to the next worker). */
  get carried(): CarriedRecording | null {
    return this.#current ? { id: this.#current.id, startedAt: this.#current.startedAt } : null;
  }

  /** The broadcast the previous worker suspended was being recorded in `recording`: its next segment goes on in it. */
  continueFrom(recording: CarriedRecording | null): void {
    this.#continues = recording;
  }

  /** Finishes the recording in progress (the room closes): its playlist is sealed before this resolves. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    void this.#end(Date.now());
    await Promise.all(this.#finishing);
  }

  #open(startedAt: number): Current | null {
    if (!this.#options.enabled || this.#closed) return null;
    if (this.#current) return this.#current;
    const continues = this.#continues;
    this.#continues = null;
    const id = continues?.id ?? newRecordingId(startedAt);
    const writer = new RecordingWriter(path.join(this.#options.dir, id), this.#logger.child({ recording: id }), continues !== null);
    const current: Current = { id, startedAt: continues?.startedAt ?? startedAt, writer, notifiedAt: Date.now() };
    writer.on('written', (progress) => {
      if (Date.now() - current.notifiedAt < this.#progressMs) return;
      current.notifiedAt = Date.now();
      this.#notify(current, progress, null);
    });
    writer.once('failed', () => {
      this.#options.counters.recordingFailures += 1;
      this.#notify(current, writer.progress, null);
    });
    this.#current = current;
    this.#logger.info({ recording: id, continues: continues !== null }, continues ? 'recording goes on after a rolling restart' : 'recording started');
    this.#notify(current, writer.progress, null);
    return current;
  }

  #segment(segment: RecordableSegment): void {
    this.#open(segment.programDateTime)?.writer.add(segment);
  }

  async #end(endedAt: number): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    const finished = current.writer.finish().then((progress) => {
      this.#logger.info({ recording: current.id, ...progress }, 'recording ended');
      this.#notify(current, progress, endedAt);
    });
    this.#finishing.add(finished);
    await finished;
    this.#finishing.delete(finished);
  }

  #notify(current: Current, progress: RecordingProgress, endedAt: number | null): void {
    this.#options.notify({
      recording: { room: this.#options.room, id: current.id, startedAt: current.startedAt, endedAt, duration: progress.duration, bytes: progress.bytes },
      failure: progress.failure,
      sealed: progress.sealed,
    });
  }
}
