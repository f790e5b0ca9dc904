import type { IngestSession } from './IngestSession.js';
import { SegmentGuard } from './SegmentGuard.js';
import type { Transcoder } from './Transcoder.js';

/** The worker's bounds on a copied segment (see MediaLimits). */
export interface KeyframeLimits {
  /** A copied segment longer than this (or 2 segment lengths, if more) stops the stream. */
  readonly maxSegmentSeconds: number;
  readonly maxSegmentBytes: number;
}

/** The guard's ticks: a producer that sends without a keyframe is stopped within about a second. */
const TICK_MS = 1_000;

/**
 * Stops a copied stream whose keyframes are too sparse for its segments (see SegmentGuard): the
 * segments ffmpeg lists, and a tick every second while it runs, until it exits. Returns the guard,
 * which the bytes written to this ffmpeg must go through too.
 */
export function watchKeyframes(transcoder: Transcoder, session: IngestSession, limits: KeyframeLimits, segmentSeconds: number): SegmentGuard {
  const guard = new SegmentGuard({ maxSeconds: Math.max(limits.maxSegmentSeconds, 2 * segmentSeconds), maxBytes: limits.maxSegmentBytes, segmentSeconds }, Date.now());
  const stop = (verdict: string | null) => {
    if (verdict !== null) session.fail({ code: 'KEYFRAMES_TOO_SPARSE', message: verdict });
  };
  transcoder.on('segment', (segment) => stop(guard.listed(segment.duration)));
  const timer = setInterval(() => stop(guard.tick(Date.now())), TICK_MS);
  timer.unref();
  transcoder.once('exit', () => clearInterval(timer));
  return guard;
}
