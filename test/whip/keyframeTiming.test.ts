import { describe, expect, it } from 'vitest';
import { spsPictureSize } from '../../src/whip/h264Sps.js';
import { KeyframeSchedule } from '../../src/whip/KeyframeSchedule.js';
import { TrackClock } from '../../src/whip/TrackClock.js';

describe('spsPictureSize', () => {
  it('reads the cropped size of baseline, main and high profile SPSs (x264)', () => {
    expect(spsPictureSize(Buffer.from('674d401eeca05017fcb808800000030080000019078b16cb', 'hex'))).toEqual({ width: 640, height: 360 });
    expect(spsPictureSize(Buffer.from('6742c01fd9005005bb011000000300100000030320f1832480', 'hex'))).toEqual({ width: 1280, height: 720 });
    expect(spsPictureSize(Buffer.from('6764000dacd94141fb011000000300100000030320f1429960', 'hex'))).toEqual({ width: 320, height: 240 });
  });

  it('is null for an SPS it cannot read', () => {
    expect(spsPictureSize(Buffer.from([0x67]))).toBeNull();
    expect(spsPictureSize(Buffer.from([0x67, 0x42, 0, 0x1f, 0, 0, 0, 0]))).toBeNull();
  });
});

describe('TrackClock', () => {
  it('maps RTP time onto the arrival clock by the packet that waited least, across the 32-bit wrap', () => {
    const clock = new TrackClock(90_000);
    const start = 2 ** 32 - 9_000;
    clock.observe(start, 1_000);
    // 100 ms later in media time, but it arrived 30 ms late (a paced keyframe): no effect.
    clock.observe(start + 9_000, 1_130);
    // Past the wrap, 200 ms in, arrived 5 ms sooner than the first: the offset follows it.
    clock.observe((start + 18_000) >>> 0, 1_195);
    expect(clock.time((start + 18_000) >>> 0)).toBeCloseTo(1_195);
    expect(clock.time(start)).toBeCloseTo(995);
    clock.freeze();
    clock.observe((start + 27_000) >>> 0, 1_000);
    expect(clock.time((start + 27_000) >>> 0)).toBeCloseTo(1_295);
  });
});

describe('KeyframeSchedule', () => {
  it('asks until the first keyframe comes: a grace for the sender first one, PLI, then FIR', () => {
    const schedule = new KeyframeSchedule(1_000, 0);
    expect(schedule.due(100, null)).toBeNull();
    expect(schedule.due(400, null)).toBe('pli');
    expect(schedule.due(500, null)).toBeNull();
    expect(schedule.due(800, null)).toBe('pli');
    expect(schedule.due(1_200, null)).toBe('pli');
    expect(schedule.due(1_600, null)).toBe('fir');
  });

  it('asks at the boundaries ffmpeg cuts at, not sooner than half a segment after a cut, and at once after a loss', () => {
    const schedule = new KeyframeSchedule(1_000, 0);
    schedule.keyframe(0);
    expect(schedule.due(10, 900)).toBeNull();
    expect(schedule.due(20, 1_000)).toBe('pli');
    expect(schedule.due(30, 1_010)).toBeNull();
    schedule.keyframe(1_080);
    expect(schedule.due(40, 1_900)).toBeNull();
    expect(schedule.due(50, 2_000)).toBe('pli');
    // Late (past two boundaries): ffmpeg cuts once, its next boundary (3 s) is behind already,
    // but the next request waits for half a segment.
    schedule.keyframe(2_900);
    expect(schedule.due(60, 3_100)).toBeNull();
    expect(schedule.due(70, 3_400)).toBe('pli');
    schedule.keyframe(3_500);
    // A keyframe between boundaries is no cut: the boundary stays at 4 s.
    schedule.keyframe(3_700);
    expect(schedule.due(80, 3_950)).toBeNull();
    schedule.lost(90);
    expect(schedule.due(90, 3_960)).toBe('pli');
  });
});
