import type { IngestProtocol, IngestState, IngestWarning } from '../contracts/ingest.js';

export type { IngestProtocol, IngestState, IngestWarning };

/** Bitrate samples: one a second at most, the last BITRATE_WINDOW_MS of them kept. */
const BITRATE_WINDOW_MS = 5_000;
const RECENT = 5;
/**
 * A keyframe interval this much longer than the segment length is worth a warning: ffmpeg cuts
 * a copied stream at keyframes only, so each segment lasts at least one interval.
 */
const TOLERANCE = 1.25;

/**
 * Measures one ingest: bytes and bitrate, and, for copied video (the only kind whose keyframes
 * decide the segments), the producer's keyframe interval. Exact from keyframe timestamps where
 * the transport shows them (RTMP's FLV tags); otherwise inferred from segment durations, which
 * show the interval only when it is longer than the segment length (then every segment lasts
 * one interval or more), and that is the case worth telling. Pure: time comes in.
 */
export class IngestMeter {
  readonly protocol: IngestProtocol;
  readonly since: number;
  #bytes = 0;
  readonly #samples: Array<{ at: number; bytes: number }> = [];
  /** Set once the video is known to be copied: keyframes decide the segments. */
  #segmentSeconds: number | null = null;
  #lastKeyframeMs: number | null = null;
  readonly #keyframeGaps: number[] = [];
  readonly #segments: number[] = [];

  constructor(protocol: IngestProtocol, now: number) {
    this.protocol = protocol;
    this.since = now;
    this.#samples.push({ at: now, bytes: 0 });
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(bytes: number, now: number): void {
    this.#bytes += bytes;
    const last = this.#samples[this.#samples.length - 1]!;
    if (now - last.at < 1_000) return;
    this.#samples.push({ at: now, bytes: this.#bytes });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at >= BITRATE_WINDOW_MS) this.#samples.shift();
  }

  bitrateKbps(now: number): number {
    const first = this.#samples[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds <= 0 ? 0 : Math.round(((this.#bytes - first.bytes) * 8) / 1000 / seconds);
  }

  /** The video is copied into segments of this length: keyframe problems matter from now on. */
  copiedInto(segmentSeconds: number): void {
    this.#segmentSeconds = segmentSeconds;
  }

  /** A video keyframe at `timestampMs` of the producer's clock; a clock that goes back starts over. */
  keyframe(timestampMs: number): void {
    const last = this.#lastKeyframeMs;
    this.#lastKeyframeMs = timestampMs;
    if (last === null || timestampMs <= last) return;
    recent(this.#keyframeGaps, (timestampMs - last) / 1000);
  }

  /** A segment of the source rendition was listed. */
  segment(durationSeconds: number): void {
    if (Number.isFinite(durationSeconds) && durationSeconds > 0) recent(this.#segments, durationSeconds);
  }

  /** The longest recent keyframe gap, or what the segments show of it; null while unknown. */
  keyframeIntervalSeconds(): number | null {
    if (this.#segmentSeconds === null) return null;
    if (this.#keyframeGaps.length > 0) return round(Math.max(...this.#keyframeGaps));
    if (this.#segments.length < 2) return null;
    const typical = median(this.#segments);
    return typical > this.#segmentSeconds * TOLERANCE ? round(typical) : null;
  }

  warnings(): IngestWarning[] {
    const interval = this.keyframeIntervalSeconds();
    const segment = this.#segmentSeconds;
    if (interval === null || segment === null || interval <= segment * TOLERANCE) return [];
    return [
      {
        code: 'KEYFRAME_INTERVAL_LONG',
        message:
          `Keyframes arrive every ${interval} s, longer than this room's ${segment} s segments, so segments and latency grow to ${interval} s: ` +
          `set the keyframe interval to ${segment} s (OBS: Settings > Output > Keyframe Interval; ffmpeg: -g <frame rate x ${segment}>)`,
      },
    ];
  }

  state(media: { video: string | null; audio: string | null } | null, now: number): IngestState {
    return {
      protocol: this.protocol,
      since: this.since,
      bytes: this.#bytes,
      bitrateKbps: this.bitrateKbps(now),
      video: media?.video ?? null,
      audio: media?.audio ?? null,
      keyframeIntervalSeconds: this.keyframeIntervalSeconds(),
      warnings: this.warnings(),
    };
  }
}

function recent(list: number[], value: number): void {
  list.push(value);
  if (list.length > RECENT) list.shift();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
