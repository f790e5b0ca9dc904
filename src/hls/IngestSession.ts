import { EventEmitter } from 'node:events';
import { sniffMedia, SNIFF_LIMIT_BYTES, type MediaInfo } from './mediaSniffer.js';

/** Why an ingest stopped against the producer's will; `code` is in the HTTP error catalog. */
export interface IngestFailure {
  readonly code: 'MEDIA_UNSUPPORTED' | 'MEDIA_INVALID' | 'FFMPEG_UNAVAILABLE' | 'STREAM_STOPPED' | 'ENCODER_BUSY' | 'KEYFRAMES_TOO_SPARSE';
  readonly message: string;
  /** STREAM_STOPPED because the server is going away (not the room deleted): come back. */
  readonly goingAway?: boolean;
}

export interface IngestSummary {
  readonly bytes: number;
  readonly segments: number;
  readonly seconds: number;
}

export interface IngestSessionEvents {
  /** ffmpeg's input has room again after push() returned false. */
  drain: [];
  /** The first segment is listed: viewers can watch. */
  live: [];
  failed: [IngestFailure];
  finished: [IngestSummary];
}

/** What the session asks of the stream that owns it. */
export interface IngestSink {
  start(session: IngestSession, media: MediaInfo): void;
  write(chunk: Buffer): boolean;
  end(): void;
}

/** Bytes held while the stream's tracks are sniffed and ffmpeg starts, before backpressure. */
const PENDING_LIMIT_BYTES = 1024 * 1024;

/**
 * One producer's connection to a room's stream, whatever carries the bytes (HTTP body or
 * WebSocket). It sniffs the first bytes, holds them while ffmpeg starts, then passes bytes
 * straight through with backpressure. It ends exactly once: `finished` or `failed`.
 */
export class IngestSession extends EventEmitter<IngestSessionEvents> {
  readonly producer: string;
  readonly startedAt = Date.now();
  #sink: IngestSink;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  #media: MediaInfo | null = null;
  #flowing = false;
  #endRequested = false;
  #done = false;

  constructor(producer: string, sink: IngestSink) {
    super();
    this.producer = producer;
    this.#sink = sink;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The producer has stopped sending; ffmpeg is finishing the stream. */
  get ending(): boolean {
    return this.#endRequested && !this.#done;
  }

  /** Resolves once the session has finished or failed. */
  settled(): Promise<void> {
    if (this.#done) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('finished', () => resolve());
      this.once('failed', () => resolve());
    });
  }

  get bytes(): number {
    return this.#bytes;
  }

  get media(): MediaInfo | null {
    return this.#media;
  }

  /** Takes producer bytes. False: stop reading until 'drain'. */
  push(chunk: Buffer): boolean {
    if (this.#done || this.#endRequested || chunk.length === 0) return true;
    this.#bytes += chunk.length;
    if (this.#flowing) return this.#sink.write(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#media === null) this.#sniff(false);
    return this.#pendingBytes < PENDING_LIMIT_BYTES;
  }

  /** The producer stopped sending: finish the stream cleanly. */
  end(): void {
    if (this.#done || this.#endRequested) return;
    this.#endRequested = true;
    if (this.#flowing) {
      this.#sink.end();
      return;
    }
    if (this.#media === null) {
      if (this.#pendingBytes === 0) {
        this.fail({ code: 'MEDIA_UNSUPPORTED', message: 'The stream ended before any media arrived' });
        return;
      }
      this.#sniff(true);
    }
  }

  /** Called by the stream once ffmpeg runs: hands it what was held, then passes bytes through. */
  flowing(): void {
    if (this.#done || this.#flowing) return;
    this.#flowing = true;
    const held = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    let room = true;
    for (const chunk of held) room = this.#sink.write(chunk);
    if (this.#endRequested) this.#sink.end();
    else if (room) this.emit('drain');
  }

  fail(failure: IngestFailure): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending = [];
    this.emit('failed', failure);
  }

  finish(summary: Omit<IngestSummary, 'bytes'>): void {
    if (this.#done) return;
    this.#done = true;
    this.emit('finished', { bytes: this.#bytes, ...summary });
  }

  #sniff(final: boolean): void {
    const head = Buffer.concat(this.#pending);
    const result = sniffMedia(head, final || head.length >= SNIFF_LIMIT_BYTES);
    if (result.kind === 'unsupported') {
      this.fail({ code: 'MEDIA_UNSUPPORTED', message: result.reason });
      return;
    }
    if (result.kind === 'more') return;
    if (result.media.video === null && result.media.audio === null) {
      this.fail({ code: 'MEDIA_UNSUPPORTED', message: `The ${result.media.container} stream has neither video nor audio` });
      return;
    }
    this.#media = result.media;
    this.#sink.start(this, result.media);
  }
}
