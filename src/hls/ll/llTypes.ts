/**
 * The live window of one rendition in Low-Latency HLS mode, as the packager keeps it in memory
 * and the playlist writer (llPlaylist.ts) and the blocking-reload rules (blockingRequest.ts) read
 * it. Pure data: the packager makes a new window for each change, nothing here is mutated.
 *
 * Sequence numbers follow RFC 8216bis (draft-pantos-hls-rfc8216bis):
 * - `msn` is the Media Sequence Number; the segments of a window are consecutive, oldest first,
 *   and the pending segment, when there is one, comes right after the last of them.
 * - A part's Part Index is its position in its parent segment's `parts`, from 0 (§4.4.4.9).
 * - `discontinuitySequence` is the value of the EXT-X-DISCONTINUITY-SEQUENCE tag. Every segment
 *   with `discontinuity` gets an EXT-X-DISCONTINUITY tag, the first listed one too; so when the
 *   packager drops the oldest segment and that segment had `discontinuity`, it adds 1 to
 *   `discontinuitySequence`, which keeps every remaining segment's Discontinuity Sequence Number
 *   unchanged (§6.2.2).
 */
export interface LlPart {
  readonly uri: string;
  /** Seconds. */
  readonly duration: number;
  /** Starts with an independent frame (a keyframe): EXT-X-PART INDEPENDENT=YES. */
  readonly independent: boolean;
}

export interface LlSegment {
  readonly msn: number;
  readonly uri: string;
  /** Seconds. */
  readonly duration: number;
  /** Its parts, oldest first (kept only for the newest segments; older ones have []). */
  readonly parts: readonly LlPart[];
  /** Wall clock of its first frame, ms since the epoch (EXT-X-PROGRAM-DATE-TIME). */
  readonly programDateTime: number;
  /** First segment after a producer came back (new ffmpeg, new init): EXT-X-DISCONTINUITY. */
  readonly discontinuity: boolean;
  /** The init segment (EXT-X-MAP URI) it needs. */
  readonly map: string;
}

/** The segment being written: its parts so far. */
export interface LlPendingSegment {
  readonly msn: number;
  readonly parts: readonly LlPart[];
  readonly map: string;
  readonly discontinuity: boolean;
  /** Null before its first part. */
  readonly programDateTime: number | null;
}

export interface LlWindow {
  /** Seconds, the EXT-X-PART-INF PART-TARGET (partTargetFor in partTarget.ts). */
  readonly partTarget: number;
  /** Integer seconds, EXT-X-TARGETDURATION (targetDurationFor in partTarget.ts); never changes during a stream. */
  readonly targetDuration: number;
  /** Complete segments in the window, oldest first; msn consecutive. */
  readonly segments: readonly LlSegment[];
  /** EXT-X-DISCONTINUITY-SEQUENCE: see the rule above. */
  readonly discontinuitySequence: number;
  /** Null when no segment is being written (before the first part, or once the stream ended). */
  readonly pending: LlPendingSegment | null;
  /** URI of the next part (EXT-X-PRELOAD-HINT TYPE=PART), null when the stream ended. */
  readonly preloadHint: string | null;
  /** EXT-X-ENDLIST: the packager closes the pending segment first (an ended window's pending parts are not listed). */
  readonly ended: boolean;
}

/** `_HLS_skip`: none, skip old segments (YES), or skip old segments and date ranges (v2). */
export type SkipRequest = 'no' | 'yes' | 'v2';

/** A playlist request's delivery directives (RFC 8216bis §6.2.5), parsed by blockingRequest.ts. */
export interface PlaylistQuery {
  readonly msn: number | null;
  readonly part: number | null;
  readonly skip: SkipRequest;
}

/** The live edge of another rendition, for EXT-X-RENDITION-REPORT (§4.4.5.4). */
export interface RenditionReport {
  /** Relative to the playlist that carries the report. */
  readonly uri: string;
  readonly lastMsn: number;
  readonly lastPart: number;
}
