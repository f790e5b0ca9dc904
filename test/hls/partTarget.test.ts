/** Part and segment target durations against RFC 8216bis §4.4.4.9 and §4.4.3.1, and ffmpeg's fragment cutting. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAGMENT_MARGIN_SECONDS, fragmentSeconds, partTargetFor, targetDurationFor } from '../../src/hls/ll/partTarget.js';

describe('partTargetFor, fragmentSeconds, targetDurationFor', () => {
  it('§4.4.4.9: PART-TARGET is the configured part time rounded up to whole frames', () => {
    expect(partTargetFor(0.2, 1 / 24)).toBeCloseTo(5 / 24, 12);
    expect(partTargetFor(0.2, 1 / 25)).toBeCloseTo(0.2, 12);
    // 0.2 / (1/30) is 6.000000000000001 in floating point: still 6 frames, not 7.
    expect(partTargetFor(0.2, 1 / 30)).toBeCloseTo(0.2, 12);
    expect(partTargetFor(0.01, 1 / 30)).toBeCloseTo(1 / 30, 12);
    expect(() => partTargetFor(0, 1 / 30)).toThrow(/configured part duration must be a positive number/);
    expect(() => partTargetFor(0.2, Number.NaN)).toThrow(/frame duration/);
  });

  it('§4.4.4.9: ffmpeg cutting at -frag_duration makes every middle part exactly the PART-TARGET the packager declares', () => {
    // ffmpeg's movenc flushes a fragment before the first packet at least frag_duration past the
    // fragment's first; packet times are rounded to the 1/90000 time base. The frame rate is not
    // known when ffmpeg starts: the same fragmentSeconds goes to ffmpeg and, with the frame time
    // of the first fragment, into the declared target.
    fc.assert(fc.property(fc.integer({ min: 10, max: 60 }), fc.double({ min: 0.1, max: 2, noNaN: true }), fc.integer({ min: 0, max: 100_000 }), (fps, configured, firstFrame) => {
      const frame = 1 / fps;
      const target = partTargetFor(fragmentSeconds(configured), frame);
      const fragTicks = Math.round(fragmentSeconds(configured) * 1_000_000) * 90_000 / 1_000_000;
      const ticks = (index: number): number => Math.round((firstFrame + index) * frame * 90_000);
      let frames = 1;
      while (ticks(frames) - ticks(0) < fragTicks) frames += 1;
      const part = frames * frame;
      expect(part).toBeCloseTo(target, 9);
      expect(part).toBeGreaterThanOrEqual(configured - FRAGMENT_MARGIN_SECONDS - 1e-9);
    }));
  });

  it('§4.4.3.1: TARGETDURATION is an integer at least every EXTINF rounded to the nearest integer', () => {
    expect(targetDurationFor([], 1)).toBe(1);
    expect(targetDurationFor([], 1.5)).toBe(2);
    expect(targetDurationFor([0.96, 1.4], 1)).toBe(1);
    expect(targetDurationFor([0.96, 2.5], 1)).toBe(3);
    expect(targetDurationFor([], 0.2)).toBe(1);
    expect(() => targetDurationFor([-1], 1)).toThrow(/segment duration must be a non-negative/);
    expect(() => targetDurationFor([], Number.POSITIVE_INFINITY)).toThrow(/configured segment duration/);
  });
});
