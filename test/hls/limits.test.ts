import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/hls/byteRange.js';
import { EncoderSlots } from '../../src/hls/EncoderSlots.js';
import { SegmentGuard } from '../../src/hls/SegmentGuard.js';

describe('parseRange', () => {
  it('reads one bytes range: from-to, from-, and the last N', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'range', start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ kind: 'range', start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'range', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'range', start: 0, end: 999 });
    // An end past the file is cut to the file.
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ kind: 'range', start: 990, end: 999 });
  });

  it('sends the whole file for no header, several ranges, another unit or nonsense', () => {
    for (const header of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=abc', 'bytes=5-1', 'bytes=99999999999999999999-']) {
      expect(parseRange(header, 1000), String(header)).toEqual({ kind: 'whole' });
    }
  });

  it('says when no byte of the range exists', () => {
    expect(parseRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('EncoderSlots', () => {
  it('gives out at most its limit, and a slot back once (release is idempotent)', () => {
    const slots = new EncoderSlots(2);
    const first = slots.acquire()!;
    const second = slots.acquire()!;
    expect(slots.acquire()).toBeNull();
    first();
    first();
    expect(slots.used).toBe(1);
    expect(slots.acquire()).not.toBeNull();
    expect(slots.acquire()).toBeNull();
    second();
    expect(slots.used).toBe(1);
    expect(() => new EncoderSlots(0)).toThrow(RangeError);
  });
});

describe('SegmentGuard', () => {
  const limits = { maxSeconds: 10, maxBytes: 1_000_000, segmentSeconds: 1 };

  it('lets keyframes exactly the limit apart through', () => {
    const guard = new SegmentGuard(limits, 0);
    for (let second = 1; second <= 60; second++) {
      guard.bytes(50_000);
      expect(guard.tick(second * 1000 + 400)).toBeNull();
      if (second % 10 === 0) expect(guard.listed(10)).toBeNull();
    }
  });

  it('lets regular segments through', () => {
    const guard = new SegmentGuard(limits, 0);
    for (let second = 1; second <= 60; second++) {
      expect(guard.bytes(50_000)).toBeNull();
      expect(guard.tick(second * 1000)).toBeNull();
      if (second % 2 === 0) expect(guard.listed(2)).toBeNull();
    }
  });

  it('stops a stream sending for longer than the limit without a keyframe, telling the producer what to set', () => {
    const guard = new SegmentGuard(limits, 0);
    let verdict: string | null = null;
    let second = 0;
    while (verdict === null && second < 60) {
      second += 1;
      guard.bytes(10_000);
      verdict = guard.tick(second * 1000);
    }
    // 1 s for the listing to follow the keyframe, and 2 s more for the first segment (ffmpeg reads ahead).
    expect(second).toBe(14);
    expect(verdict).toMatch(/Keyframes are too far apart.*keyframe interval to 1 s/);
  });

  it('does not count time in which the producer sent nothing (a stalled network)', () => {
    const guard = new SegmentGuard(limits, 0);
    guard.listed(1);
    for (let second = 1; second <= 60; second++) {
      if (second <= 3 || second > 55) guard.bytes(10_000);
      expect(guard.tick(second * 1000)).toBeNull();
    }
  });

  it('stops on a listed segment longer than the limit (a push faster than real time)', () => {
    const guard = new SegmentGuard(limits, 0);
    expect(guard.listed(9.9)).toBeNull();
    expect(guard.listed(24)).toMatch(/a segment lasted 24.0 s/);
  });

  it('stops when a segment passes the byte cap before the next keyframe', () => {
    const guard = new SegmentGuard(limits, 0);
    expect(guard.bytes(600_000)).toBeNull();
    guard.listed(1);
    expect(guard.bytes(600_000)).toBeNull();
    expect(guard.bytes(600_000)).toMatch(/a segment passed 977 KiB before the next keyframe/);
  });
});
