import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { LiveStream } from '../LiveStream.js';
import type { RecordableSegment } from '../recordable.js';
import type { FfmpegBinary } from '../resolveFfmpeg.js';
import type { PosterInput } from './posterFrameArgs.js';
import type { PosterFrameTaker } from './PosterFrameTaker.js';

/** The room's newest poster frame. */
export interface Thumbnail {
  readonly jpeg: Buffer;
  /** When it was taken (ms since the epoch): its ETag and Last-Modified. */
  readonly takenAt: number;
}

export interface LiveThumbnailOptions {
  readonly stream: LiveStream;
  readonly taker: PosterFrameTaker;
  readonly ffmpeg: () => Promise<FfmpegBinary>;
  /** A frame is taken at most this often (THUMBNAIL_SECONDS); 0: never. */
  readonly intervalMs: number;
}

export interface LiveThumbnailEvents {
  /** A thumbnail became available, or was dropped (the stream ended). */
  availability: [available: boolean];
}

/**
 * The poster frame of one room's live stream: taken from the newest complete segment of the
 * source rendition (fMP4 bytes in memory in Low-Latency mode, the .ts file in classic mode)
 * at most every `intervalMs`, the first one at the first segment. Dropped when the stream
 * ends: a listing shows live rooms only, and a frame of an ended stream would be a stale one.
 * A stream held for its dropped producer is still live: its last frame stays.
 */
export class LiveThumbnail extends EventEmitter<LiveThumbnailEvents> {
  readonly #options: LiveThumbnailOptions;
  #current: Thumbnail | null = null;
  #nextAt = 0;
  /** Grows when the stream ends: a frame still being taken from the previous one is thrown away. */
  #generation = 0;
  #closed = false;

  constructor(options: LiveThumbnailOptions) {
    super();
    this.#options = options;
    if (options.intervalMs <= 0) return;
    const { stream } = options;
    stream.on('recordable', (segment: RecordableSegment) => {
      if (this.#due()) void this.#take(async () => ({ bytes: Buffer.concat([segment.init, segment.bytes]), format: 'mp4' }));
    });
    stream.on('segmentFile', (file) => {
      // Read here rather than by ffmpeg: the stream's ffmpeg may delete it from the window meanwhile, and no second process opens the room's folder.
      if (this.#due()) void this.#take(async () => ({ bytes: await readFile(file), format: 'mpegts' }));
    });
    stream.on('status', (status) => {
      if (!status.live) this.#drop();
    });
  }

  get current(): Thumbnail | null {
    return this.#current;
  }

  /** How long a client may keep a frame: until the next one is due. */
  get maxAgeSeconds(): number {
    return Math.max(1, Math.round(this.#options.intervalMs / 1000));
  }

  close(): void {
    this.#closed = true;
    this.#drop();
  }

  /** Due when the interval has passed and the worker's ffmpeg for thumbnails is free (else this segment is skipped). */
  #due(): boolean {
    return !this.#closed && Date.now() >= this.#nextAt && !this.#options.taker.busy;
  }

  async #take(input: () => Promise<PosterInput>): Promise<void> {
    this.#nextAt = Date.now() + this.#options.intervalMs;
    const generation = this.#generation;
    let jpeg: Buffer | null;
    try {
      jpeg = await this.#options.taker.take((await this.#options.ffmpeg()).path, await input());
    } catch {
      // No ffmpeg (the stream itself could not have started), or the segment is gone already: this frame is skipped.
      return;
    }
    if (jpeg === null || generation !== this.#generation || this.#closed) return;
    const first = this.#current === null;
    this.#current = { jpeg, takenAt: Date.now() };
    if (first) this.emit('availability', true);
  }

  #drop(): void {
    this.#generation += 1;
    this.#nextAt = 0;
    if (this.#current === null) return;
    this.#current = null;
    this.emit('availability', false);
  }
}
