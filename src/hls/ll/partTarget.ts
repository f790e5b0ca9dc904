/**
 * Part and segment target durations (RFC 8216bis §4.4.3.1, §4.4.4.9).
 *
 * §4.4.4.9 asks two things of every part: its duration is at most PART-TARGET, and at least 85%
 * of it unless the part is INDEPENDENT, is the last of its segment, or is next to a gap. ffmpeg's
 * fMP4 muxer (`-frag_duration`) cuts a fragment at the first frame whose timestamp is at least
 * that far from the fragment's first frame, so a part is a whole number of frames. The design:
 * - PART-TARGET is a whole number of frames, n = the configured time rounded up to frames
 *   (24 fps, 0.2 s: 5 frames, 0.20833 s);
 * - ffmpeg is asked for a hair less than the configured time (fragmentSeconds: the frame rate is
 *   unknown when it starts), so timestamps rounded by the time base still cut at the frame that
 *   reaches it, and the packager declares PART-TARGET from the same rule once the first
 *   fragment tells it the frame time: the declared target is exactly what ffmpeg cuts;
 * - so a part in the middle of a segment lasts exactly PART-TARGET (within both bounds), a part
 *   that ends early does so only at a keyframe, where a segment ends (exempt: last part), and a
 *   part that starts at a keyframe is INDEPENDENT (exempt).
 * The playlist prints PART-TARGET rounded up (llPlaylist.ts), so it stays >= every part as printed.
 */

/** Frames within this much of a whole number count as whole: 0.2 / (1/30) is 6.000000000000001. */
const WHOLE_FRAME_TOLERANCE = 1e-6;

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of seconds (got ${value})`);
}

/** Whole frames of `frameSeconds` in at least `seconds` (at least one). */
function framesFor(seconds: number, frameSeconds: number): number {
  return Math.max(1, Math.ceil(seconds / frameSeconds - WHOLE_FRAME_TOLERANCE));
}

/** The PART-TARGET, seconds: the configured part duration rounded up to whole frames. */
export function partTargetFor(configuredSeconds: number, frameSeconds: number): number {
  requirePositive('the configured part duration', configuredSeconds);
  requirePositive('the frame duration', frameSeconds);
  return framesFor(configuredSeconds, frameSeconds) * frameSeconds;
}

/** Below the configured part time, in the length ffmpeg is asked for (a quarter of a 60 fps frame). */
export const FRAGMENT_MARGIN_SECONDS = 1 / 240;

/**
 * ffmpeg's `-frag_duration` (seconds) for a configured part time: a hair under it, so ffmpeg cuts
 * at the frame that reaches the configured time even when the time base rounds that frame's
 * timestamp a tick early. The frame rate is unknown when ffmpeg starts; the packager learns it
 * from the first fragment and declares PART-TARGET = partTargetFor(fragmentSeconds(configured),
 * frame): the very number of frames ffmpeg cuts, so every middle part lasts exactly PART-TARGET.
 */
export function fragmentSeconds(configuredSeconds: number): number {
  requirePositive('the configured part duration', configuredSeconds);
  return Math.max(configuredSeconds - FRAGMENT_MARGIN_SECONDS, configuredSeconds / 2);
}

/**
 * EXT-X-TARGETDURATION, integer seconds (§4.4.3.1): every EXTINF rounded to the nearest integer
 * must be at most it. It should not change during a stream (§6.2.1): the live packager passes its
 * complete segments' longest and serves playlists only from the first complete segment on (see
 * docs/ll-hls.md); a recording passes its durations.
 */
export function targetDurationFor(segmentDurations: readonly number[], configuredSeconds: number): number {
  requirePositive('the configured segment duration', configuredSeconds);
  let target = Math.max(1, Math.ceil(configuredSeconds - WHOLE_FRAME_TOLERANCE));
  for (const duration of segmentDurations) {
    if (!Number.isFinite(duration) || duration < 0) throw new RangeError(`a segment duration must be a non-negative number of seconds (got ${duration})`);
    target = Math.max(target, Math.round(duration));
  }
  return target;
}
