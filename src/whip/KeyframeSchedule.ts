export type KeyframeRequest = 'pli' | 'fir';

/** A request not answered by a keyframe is repeated this often. */
const RETRY_MS = 400;
/** Unanswered this long, requests become FIRs (a sender that ignores PLI may honour FIR). */
const FIR_AFTER_MS = 1_200;

/**
 * When to ask a WebRTC sender for a keyframe. The copied H.264 can be cut into HLS segments only
 * at keyframes, and ffmpeg cuts at the first keyframe at or past its next boundary, n times the
 * segment length (n counts the segments made, so a late cut leaves it behind). Asking on a fixed
 * timer drifts against those boundaries: a keyframe just short of one makes a double-length
 * segment, one just after a late cut a 0.1 s segment. So a keyframe is asked for once the stream
 * time reaches the next boundary as ffmpeg counts it (and never sooner than half a segment after
 * the last cut): the sender encodes it from a later capture, so it lands past the boundary.
 * A loss asks at once. Before the stream starts, keyframes are asked for until one comes.
 * Pure: times are passed in (ms on one receiver clock).
 */
export class KeyframeSchedule {
  readonly #segmentMs: number;
  /** Segments ffmpeg has cut, as it counts them. */
  #cuts = 0;
  #lastCutMs = 0;
  #lostAt: number | null = null;
  #firstAskAt: number | null = null;
  #lastAskAt: number;

  /** `now`: when the first video arrived (the sender's own first picture is a keyframe: one retry's grace). */
  constructor(segmentMs: number, now: number) {
    this.#segmentMs = segmentMs;
    this.#lastAskAt = now;
  }

  /** A keyframe went out at this stream time. */
  keyframe(streamMs: number): void {
    if (streamMs >= this.#segmentMs * (this.#cuts + 1)) {
      this.#cuts += 1;
      this.#lastCutMs = streamMs;
    }
    this.#lostAt = null;
    this.#firstAskAt = null;
    this.#lastAskAt = -Infinity;
  }

  /** Pictures were lost: a keyframe is needed now. */
  lost(now: number): void {
    this.#lostAt ??= now;
  }

  /** What to send at `now` (`streamMs`: the stream time then, null before the start), if anything. */
  due(now: number, streamMs: number | null): KeyframeRequest | null {
    const boundary = Math.max(this.#segmentMs * (this.#cuts + 1), this.#lastCutMs + this.#segmentMs / 2);
    const wanted = streamMs === null || this.#lostAt !== null || streamMs >= boundary;
    if (!wanted || now - this.#lastAskAt < RETRY_MS) return null;
    this.#lastAskAt = now;
    this.#firstAskAt ??= now;
    return now - this.#firstAskAt >= FIR_AFTER_MS ? 'fir' : 'pli';
  }
}
