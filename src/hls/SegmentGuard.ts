/**
 * Watches a copied stream for keyframes too sparse for live HLS. With `-c:v copy` ffmpeg can
 * cut a segment only at the producer's keyframes: a producer that sends one every 30 s (or only
 * one) makes segments that long and that big, which players stall on and the server must hold
 * and serve. A segment is too long when
 * - the playlist lists one longer than `maxSeconds` (a push faster than real time shows it here), or
 * - no segment is listed for `maxSeconds` of sending (a live push: found before the segment ends), or
 * - more than `maxBytes` arrive between two listed segments.
 * Pure (times are passed in), unit-tested; watchKeyframes and LiveStream feed it and stop the stream on a verdict.
 */
export interface SegmentGuardLimits {
  readonly maxSeconds: number;
  readonly maxBytes: number;
  /** The room's segment length: the keyframe interval the producer should use. */
  readonly segmentSeconds: number;
}

/** ffmpeg reads ahead about 1 s before its first segment starts; the first wait gets this much more. */
const STARTUP_SLACK_MS = 2_000;
/** A segment is listed a moment after the keyframe that ends it arrives, and ticks are 1 s apart. */
const LISTING_SLACK_MS = 1_000;

export class SegmentGuard {
  readonly #limits: SegmentGuardLimits;
  #bytesSinceCut = 0;
  /** Time since the last listed segment during which bytes kept arriving. */
  #sendingMsSinceCut = 0;
  #lastTickAt: number;
  #bytesSinceTick = 0;
  #cuts = 0;

  constructor(limits: SegmentGuardLimits, now: number) {
    this.#limits = limits;
    this.#lastTickAt = now;
  }

  /** Producer bytes went to ffmpeg. Returns why the stream must stop, or null. */
  bytes(count: number): string | null {
    this.#bytesSinceCut += count;
    this.#bytesSinceTick += count;
    if (this.#bytesSinceCut <= this.#limits.maxBytes) return null;
    return this.#verdict(`a segment passed ${formatBytes(this.#limits.maxBytes)} before the next keyframe`);
  }

  /** The playlist listed a segment of this duration (s). */
  listed(duration: number): string | null {
    this.#cuts += 1;
    this.#bytesSinceCut = 0;
    this.#sendingMsSinceCut = 0;
    if (duration <= this.#limits.maxSeconds) return null;
    return this.#verdict(`a segment lasted ${duration.toFixed(1)} s`);
  }

  /** Called about every second. */
  tick(now: number): string | null {
    if (this.#bytesSinceTick > 0) this.#sendingMsSinceCut += now - this.#lastTickAt;
    this.#lastTickAt = now;
    this.#bytesSinceTick = 0;
    const allowedMs = this.#limits.maxSeconds * 1000 + LISTING_SLACK_MS + (this.#cuts === 0 ? STARTUP_SLACK_MS : 0);
    if (this.#sendingMsSinceCut <= allowedMs) return null;
    return this.#verdict(`no keyframe came in ${Math.round(this.#sendingMsSinceCut / 1000)} s of video`);
  }

  #verdict(what: string): string {
    const { maxSeconds, segmentSeconds } = this.#limits;
    return (
      `Keyframes are too far apart for live HLS: ${what} (the limit is ${maxSeconds} s). The video is copied as sent, ` +
      `so segments can only start at keyframes: set your encoder's keyframe interval to ${segmentSeconds} s ` +
      `(OBS: Keyframe Interval; ffmpeg: -g <frame rate x ${segmentSeconds}>) and stream again.`
    );
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1_048_576 ? `${Math.round(bytes / 1_048_576)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
