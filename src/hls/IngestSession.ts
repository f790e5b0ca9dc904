import { EventEmitter } from 'node:events';
import { ByteRateCap } from './ByteRateCap.js';
import { HeldBytes } from './HeldBytes.js';
import type { IngestLimits } from '../config/IngestLimits.js';
import { IngestMeter, type IngestProtocol, type IngestWarning } from './IngestMeter.js';
import { sniffMedia, SNIFF_LIMIT_BYTES, type MediaInfo } from './mediaSniffer.js';

/** Why an ingest stopped against the producer's will; `code` is in the HTTP error catalog. */
export interface IngestFailure {
  readonly code:
    | 'MEDIA_UNSUPPORTED'
    | 'MEDIA_INVALID'
    | 'FFMPEG_UNAVAILABLE'
    | 'STREAM_STOPPED'
    | 'STREAM_STOPPED_BY_MODERATOR'
    | 'INGEST_TOO_FAST'
    | 'ENCODER_BUSY'
    | 'KEYFRAMES_TOO_SPARSE'
    | 'TOKEN_INVALID'
    | 'SESSION_EXPIRED';
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
  /** The producer left before its stream started (see abandon()): nothing was started, nothing is told. */
  abandoned: [];
  /** The producer's warnings changed (e.g. its keyframes are too far apart). */
  warnings: [readonly IngestWarning[]];
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
 * Bytes a producer may send past backpressure (held, or written to a full ffmpeg input) before it
 * is cut. A transport that stops reading still delivers what it had read: at most a WebSocket
 * frame (8 MiB) and a socket read. More means nothing holds the producer back.
 */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** After a sniff that needs more bytes, the next waits for this many more, or half again as many: linear in all. */
const SNIFF_STEP_BYTES = 4 * 1024;

/**
 * One producer's connection to a room's stream, whatever carries the bytes (HTTP body or
 * WebSocket). It sniffs the first bytes, holds them while ffmpeg starts, then passes bytes
 * straight through with backpressure. Its cost is linear in the bytes, and bounded: the bitrate
 * cap and the bytes held past backpressure. It ends exactly once: `finished`, `failed`, or
 * `abandoned` (the producer left before its stream started).
 */
export class IngestSession extends EventEmitter<IngestSessionEvents> {
  readonly producer: string;
  readonly protocol: IngestProtocol;
  readonly startedAt = Date.now();
  /** Bytes, bitrate and keyframes, for the ingest state producers see. */
  readonly meter: IngestMeter;
  /** The caps this producer streams under (the transports apply theirs: frames, minimum rate). */
  readonly limits: IngestLimits;
  #sink: IngestSink;
  readonly #rate: ByteRateCap;
  readonly #held = new HeldBytes();
  /** Sniff again once this many bytes are held. */
  #sniffAt = 1;
  /** Bytes written since ffmpeg's input said it was full. */
  #backlog = 0;
  #bytes = 0;
  #media: MediaInfo | null = null;
  #flowing = false;
  #endRequested = false;
  #dropped = false;
  #done = false;
  #warnings = '';

  constructor(producer: string, protocol: IngestProtocol, sink: IngestSink, limits: IngestLimits, now?: () => number) {
    super();
    this.producer = producer;
    this.protocol = protocol;
    this.meter = new IngestMeter(protocol, this.startedAt);
    this.#sink = sink;
    this.limits = limits;
    this.#rate = new ByteRateCap(limits.maxBytesPerSecond, limits.burstSeconds, now);
  }

  get done(): boolean {
    return this.#done;
  }

  /** The connection went away without the producer ending its stream: it may come back (see LiveStream). */
  get dropped(): boolean {
    return this.#dropped;
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
      this.once('abandoned', () => resolve());
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
    if (!this.#rate.take(chunk.length)) {
      const kbps = Math.round((this.#rate.measuredBytesPerSecond() * 8) / 1000);
      const cap = Math.round((this.limits.maxBytesPerSecond * 8) / 1000);
      this.fail({ code: 'INGEST_TOO_FAST', message: `The stream arrives at ${kbps} kbps, above this server's cap of ${cap} kbps` });
      return true;
    }
    this.#bytes += chunk.length;
    this.meter.add(chunk.length, Date.now());
    if (this.#flowing) return this.#write(chunk);
    this.#held.append(chunk);
    if (this.#media === null && this.#held.length >= this.#sniffAt) this.#sniff(false);
    if (this.#held.length > MAX_BUFFERED_BYTES) this.#overflowed(this.#held.length);
    return this.#held.length < PENDING_LIMIT_BYTES;
  }

  /**
   * The connection went away without an end from the producer (a dropped network, a killed
   * encoder): the stream finishes cleanly, and the room holds it for the producer's return.
   */
  drop(): void {
    if (this.#done || this.#endRequested) return;
    // Gone before a byte arrived: nothing to finish, nor to tell anyone.
    if (this.#bytes === 0) {
      this.abandon();
      return;
    }
    this.#dropped = true;
    this.end();
  }

  /**
   * The producer left before its stream started (a client gone while the slot was claimed for
   * it, a WebRTC peer that never sent media): the slot is released and nothing starts, not even
   * for the bytes held (a WHIP session's WebM header is the server's own). Once the stream
   * started (its media known), it is a drop like any other.
   */
  abandon(): void {
    if (this.#done || this.#endRequested) return;
    if (this.#media !== null) {
      this.drop();
      return;
    }
    this.#done = true;
    this.#held.take();
    this.emit('abandoned');
  }

  /** A video keyframe at the producer's `timestampMs` (transports that see keyframes call it). */
  keyframe(timestampMs: number): void {
    this.meter.keyframe(timestampMs);
    this.#warningsMayHaveChanged();
  }

  /** A source segment was listed (the stream calls it for copied video). */
  segment(durationSeconds: number): void {
    this.meter.segment(durationSeconds);
    this.#warningsMayHaveChanged();
  }

  #warningsMayHaveChanged(): void {
    const warnings = this.meter.warnings();
    const key = warnings.map((warning) => warning.code).join(',');
    if (key === this.#warnings) return;
    this.#warnings = key;
    this.emit('warnings', warnings);
  }

  /** The producer ended its stream: finish it cleanly. */
  end(): void {
    if (this.#done || this.#endRequested) return;
    this.#endRequested = true;
    if (this.#flowing) {
      this.#sink.end();
      return;
    }
    if (this.#media === null) {
      if (this.#held.length === 0) {
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
    const held = this.#held.take();
    const room = held.length === 0 || this.#write(held);
    if (this.#done) return;
    if (this.#endRequested) this.#sink.end();
    else if (room) this.emit('drain');
  }

  fail(failure: IngestFailure): void {
    if (this.#done) return;
    this.#done = true;
    this.#held.take();
    this.emit('failed', failure);
  }

  finish(summary: Omit<IngestSummary, 'bytes'>): void {
    if (this.#done) return;
    this.#done = true;
    this.emit('finished', { bytes: this.#bytes, ...summary });
  }

  #write(chunk: Buffer): boolean {
    if (this.#sink.write(chunk)) {
      this.#backlog = 0;
      return true;
    }
    this.#backlog += chunk.length;
    if (this.#backlog > MAX_BUFFERED_BYTES) this.#overflowed(this.#backlog);
    return false;
  }

  #overflowed(bytes: number): void {
    const mib = (bytes / (1024 * 1024)).toFixed(1);
    this.fail({ code: 'INGEST_TOO_FAST', message: `The producer sent ${mib} MiB that the server could not take yet, after it was asked to wait` });
  }

  /** Sniffs what is held; after a 'more', the next sniff waits for enough new bytes that all sniffs cost linear time. */
  #sniff(final: boolean): void {
    const head = this.#held.view();
    const result = sniffMedia(head, final || head.length >= SNIFF_LIMIT_BYTES);
    if (result.kind === 'unsupported') {
      this.fail({ code: 'MEDIA_UNSUPPORTED', message: result.reason });
      return;
    }
    if (result.kind === 'more') {
      this.#sniffAt = Math.min(SNIFF_LIMIT_BYTES, Math.max(head.length + SNIFF_STEP_BYTES, Math.ceil(head.length * 1.5)));
      return;
    }
    if (result.media.video === null && result.media.audio === null) {
      this.fail({ code: 'MEDIA_UNSUPPORTED', message: `The ${result.media.container} stream has neither video nor audio` });
      return;
    }
    this.#media = result.media;
    this.#sink.start(this, result.media);
  }
}
