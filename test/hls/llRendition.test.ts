import { describe, expect, it } from 'vitest';
import { LlRendition, type CompletedSegment, type CutFragment } from '../../src/hls/ll/LlRendition.js';
import { renderMediaPlaylist } from '../../src/hls/ll/llPlaylist.js';
import { parsePlaylist } from '../../src/hls/playlist.js';

const INFO = { codecs: 'avc1.64001f,mp4a.40.2', width: 320, height: 240 };
const FRAME = 1 / 30;

/** A 0.2 s fragment (6 frames at 30 fps), a keyframe every `gop` fragments. */
function fragment(index: number, gop = 5): CutFragment {
  return { bytes: Buffer.from(`fragment-${index};`), duration: 0.2, independent: index % gop === 0, frameSeconds: FRAME };
}

function rendition(windowSegments = 3): LlRendition {
  return new LlRendition({ prefix: 'b1', partSeconds: 0.2, segmentSeconds: 1, windowSegments });
}

/** Feeds fragments first..last (inclusive) at 200 ms intervals of a fake clock starting at `t0`. */
function feed(target: LlRendition, first: number, last: number, t0 = 1_000_000, gop = 5): void {
  for (let i = first; i <= last; i += 1) target.add(fragment(i, gop), i * 0.2, t0 + (i + 1) * 200);
}

describe('LlRendition', () => {
  it('has no window before its init and first fragment', () => {
    const r = rendition();
    expect(r.window()).toBeNull();
    r.begin(Buffer.from('init'), INFO);
    expect(r.window()).toBeNull();
    expect(r.ready).toBe(false);
  });

  it('makes a part of every fragment, a quick first segment of PART-HOLD-BACK (3 parts), one back to the next keyframe, then a segment at the first keyframe once 1 s is reached', () => {
    const r = rendition();
    const segments: CompletedSegment[] = [];
    r.on('segment', (segment) => segments.push(segment));
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 1);
    expect(r.ready).toBe(false);
    feed(r, 2, 2);
    // The first segment closes with its third part: a player can start before the producer's second keyframe.
    expect(r.ready).toBe(true);
    expect(segments.map((s) => s.uri)).toEqual(['b1-s0.m4s']);
    feed(r, 3, 16);
    expect(segments.map((s) => [s.msn, s.uri, Number(s.duration.toFixed(3))])).toEqual([
      [0, 'b1-s0.m4s', 0.6],
      [1, 'b1-s1.m4s', 0.4],
      [2, 'b1-s2.m4s', 1],
      [3, 'b1-s3.m4s', 1],
    ]);
    const window = r.window()!;
    expect(window.segments.map((s) => s.parts.map((p) => p.uri))).toEqual([
      ['b1-p3.m4s', 'b1-p4.m4s'],
      ['b1-p5.m4s', 'b1-p6.m4s', 'b1-p7.m4s', 'b1-p8.m4s', 'b1-p9.m4s'],
      ['b1-p10.m4s', 'b1-p11.m4s', 'b1-p12.m4s', 'b1-p13.m4s', 'b1-p14.m4s'],
    ]);
    // The second segment starts between keyframes; from the third on, every segment starts with one.
    expect(window.segments.map((s) => s.parts.map((p) => p.independent))).toEqual([
      [false, false],
      [true, false, false, false, false],
      [true, false, false, false, false],
    ]);
    expect(window.pending).toMatchObject({ msn: 4, map: 'b1-i1.mp4', discontinuity: false });
    expect(window.pending!.parts.map((p) => p.uri)).toEqual(['b1-p15.m4s', 'b1-p16.m4s']);
    expect(window.preloadHint).toBe('b1-p17.m4s');
    expect(r.isHinted('b1-p17.m4s')).toBe(true);
    expect(r.isHinted('b1-p18.m4s')).toBe(false);
    expect(window.partTarget).toBeCloseTo(0.2, 5);
    expect(window.targetDuration).toBe(1);
  });

  it('needs no catching up when the producer\'s keyframes come at least every 3 parts, or every part is one (audio)', () => {
    for (const gop of [1, 3]) {
      const r = rendition();
      r.begin(Buffer.from('init'), INFO);
      feed(r, 0, 15, 0, gop);
      const durations = r.window()!.segments.map((s) => Number(s.duration.toFixed(3)));
      expect(durations[0]).toBe(0.6);
      expect(r.window()!.segments.every((s) => s.parts[0]!.independent)).toBe(true);
    }
  });

  it('serves a segment as its parts concatenated, and each part with its own bytes, from one copy', () => {
    const r = rendition();
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 5);
    const segment = r.file('b1-s1.m4s')!;
    expect(segment.toString()).toBe([3, 4].map((i) => `fragment-${i};`).join(''));
    expect(r.file('b1-p4.m4s')!.toString()).toBe('fragment-4;');
    expect(r.file('b1-p4.m4s')!.buffer).toBe(segment.buffer);
    expect(r.file('b1-p5.m4s')!.toString()).toBe('fragment-5;');
    expect(r.file('b1-i1.mp4')!.toString()).toBe('init');
  });

  it('cannot cut a segment without a keyframe: segments last from keyframe to keyframe', () => {
    const r = rendition();
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 20, 0, 10);
    expect(r.window()!.segments.map((s) => Number(s.duration.toFixed(3)))).toEqual([0.6, 1.4, 2]);
    expect(r.window()!.targetDuration).toBe(2);
  });

  it('dates each segment from the wall clock of its first frame', () => {
    const r = rendition();
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 10, 1_000_000);
    // The first fragment arrived at t0 + 200 ms and lasts 200 ms: its first frame was made at t0.
    expect(r.window()!.segments.map((s) => s.programDateTime)).toEqual([1_000_000, 1_000_600, 1_001_000]);
  });

  it('dates from the least-delayed of the first fragments: ffmpeg writes those it held while analysing its input in a burst', () => {
    const r = rendition();
    r.begin(Buffer.from('init'), INFO);
    const t0 = 1_000_000;
    // Fragments 0 and 1 (frames made by t0 + 200 and t0 + 400) both arrive at t0 + 500; from fragment 2 on, on time.
    r.add(fragment(0), 0, t0 + 500);
    r.add(fragment(1), 0.2, t0 + 500);
    for (let i = 2; i <= 10; i += 1) r.add(fragment(i), i * 0.2, t0 + (i + 1) * 200);
    expect(r.window()!.segments.map((s) => s.programDateTime)).toEqual([t0, t0 + 600, t0 + 1000]);
    // Once the first segment is out, dates stay put: a late fragment moves nothing.
    r.add(fragment(11), 2.2, t0 + 2_300);
    feed(r, 12, 20, t0);
    expect(r.window()!.segments.at(-1)!.programDateTime).toBe(t0 + 3000);
  });

  it('keeps the window bounded, numbering on, and forgets files past it', () => {
    const r = rendition(3);
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 40);
    const window = r.window()!;
    expect(window.segments.map((s) => s.msn)).toEqual([6, 7, 8]);
    expect(window.pending!.msn).toBe(9);
    // Three more are kept for players that just read an older playlist; older ones are gone.
    expect(r.file('b1-s3.m4s')).not.toBeNull();
    expect(r.file('b1-s2.m4s')).toBeNull();
    expect(r.file('b1-p9.m4s')).toBeNull();
  });

  it('continues after a new ffmpeg with a new init and a discontinuity, part numbers going on', () => {
    const r = rendition(3);
    r.begin(Buffer.from('init-1'), INFO);
    feed(r, 0, 7);
    r.finish();
    r.begin(Buffer.from('init-2'), INFO);
    feed(r, 0, 5, 2_000_000);
    const window = r.window()!;
    expect(window.segments.map((s) => [s.msn, s.map, s.discontinuity, Number(s.duration.toFixed(3))])).toEqual([
      [1, 'b1-i1.mp4', false, 0.4],
      [2, 'b1-i1.mp4', false, 0.6],
      // No quick segment after a discontinuity: viewers are already playing, on parts.
      [3, 'b1-i2.mp4', true, 1],
    ]);
    expect(window.pending!.parts.map((p) => p.uri)).toEqual(['b1-p13.m4s']);
    expect(r.file('b1-i1.mp4')!.toString()).toBe('init-1');
    expect(r.file('b1-i2.mp4')!.toString()).toBe('init-2');
    // Once no listed segment needs the first init, it goes too.
    feed(r, 6, 40, 2_000_000);
    expect(r.file('b1-i1.mp4')).toBeNull();
    expect(r.window()!.discontinuitySequence).toBe(1);
  });

  it('continues a previous worker\'s broadcast (a rolling restart): a discontinuity first, the numbers going on', () => {
    const old = rendition(3);
    old.begin(Buffer.from('init-1'), INFO);
    feed(old, 0, 7);
    old.finish();
    old.begin(Buffer.from('init-2'), INFO);
    feed(old, 0, 7, 2_000_000);
    expect(old.lastDiscontinuity).toBe(1);
    const next = new LlRendition({ prefix: 'b2', partSeconds: 0.2, segmentSeconds: 1, windowSegments: 3, firstMsn: old.nextMsn, afterDiscontinuity: old.lastDiscontinuity });
    next.begin(Buffer.from('init-3'), INFO);
    feed(next, 0, 7, 3_000_000);
    const window = next.window()!;
    expect(window.segments[0]).toMatchObject({ msn: old.nextMsn, discontinuity: true });
    // The new first segment's Discontinuity Sequence Number is one more than the old last one's.
    const playlist = parsePlaylist(renderMediaPlaylist(window, { skip: 'no' }));
    expect(playlist.mediaSequence).toBe(old.nextMsn);
    expect(playlist.segments[0]!.discontinuitySequence).toBe(2);
    expect(next.lastDiscontinuity).toBe(2);
  });

  it('ends: the last parts become a segment, no preload hint, nothing more is taken', () => {
    const r = rendition();
    r.begin(Buffer.from('init'), INFO);
    feed(r, 0, 7);
    r.end();
    const window = r.window()!;
    expect(window.ended).toBe(true);
    expect(window.preloadHint).toBeNull();
    expect(window.segments.map((s) => s.parts.length)).toEqual([3, 2, 3]);
    expect(window.pending?.parts ?? []).toEqual([]);
    r.add(fragment(8), 1.6, 2_000_000);
    expect(r.window()!.segments).toHaveLength(3);
    expect(r.isHinted('b1-p8.m4s')).toBe(false);
  });

  it('takes a producer whose timestamps make the frame time 0 or absurd: no throw, a PART-TARGET every part fits', () => {
    for (const frameSeconds of [0, 1.1e-5, Number.NaN, 5]) {
      const r = rendition();
      r.begin(Buffer.from('init'), INFO);
      r.add({ ...fragment(0), frameSeconds }, 0, 1_000_000);
      r.add({ ...fragment(1), frameSeconds: FRAME }, 0.2, 1_000_200);
      const window = r.window()!;
      for (const part of window.pending!.parts) expect(part.duration).toBeLessThanOrEqual(window.partTarget);
    }
  });

  it('refuses a prefix that could leave the HLS name space', () => {
    expect(() => new LlRendition({ prefix: '../x', partSeconds: 0.2, segmentSeconds: 1, windowSegments: 3 })).toThrow(RangeError);
  });
});
