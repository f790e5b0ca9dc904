/**
 * Property: a rendered Low-Latency playlist parses back (our parsePlaylist, and hls.js's own
 * M3U8Parser, the one the watch page runs) to the same segments, parts, durations and dates.
 */
import fc from 'fast-check';
import { M3U8Parser, PlaylistLevelType } from 'hls.js';
import { describe, expect, it } from 'vitest';
import { renderMediaPlaylist, skippableSegments } from '../../src/hls/ll/llPlaylist.js';
import type { LlWindow, SkipRequest } from '../../src/hls/ll/llTypes.js';
import { targetDurationFor } from '../../src/hls/ll/partTarget.js';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { partsOf } from '../helpers/llWindow.js';

/** A random window as the packager keeps it: consecutive segments, parts for the newest, a pending segment or an end. */
const windows = fc.record({
  firstMsn: fc.integer({ min: 0, max: 10_000 }),
  partTarget: fc.constantFrom(0.2, 5 / 24, 1 / 3, 0.5),
  discontinuitySequence: fc.integer({ min: 0, max: 50 }),
  start: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  shapes: fc.array(fc.record({ parts: fc.integer({ min: 1, max: 8 }), discontinuity: fc.boolean(), keptParts: fc.boolean() }), { minLength: 0, maxLength: 20 }),
  pendingParts: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
  ended: fc.boolean(),
}).map((drawn): LlWindow => {
  let at = drawn.start;
  let init = 0;
  const segments = drawn.shapes.map((shape, index) => {
    const msn = drawn.firstMsn + index;
    if (shape.discontinuity) init += 1;
    const parts = partsOf(msn, shape.parts, drawn.partTarget);
    const duration = shape.parts * drawn.partTarget;
    const segment = { msn, uri: `seg${msn}.m4s`, duration, parts: shape.keptParts ? parts : [], programDateTime: at, discontinuity: shape.discontinuity, map: `init${init}.mp4` };
    at += duration * 1000;
    return segment;
  });
  const nextMsn = drawn.firstMsn + segments.length;
  const pending = drawn.ended || drawn.pendingParts === null ? null : {
    msn: nextMsn, parts: partsOf(nextMsn, drawn.pendingParts, drawn.partTarget), map: `init${init}.mp4`, discontinuity: false, programDateTime: drawn.pendingParts > 0 ? at : null,
  };
  const longest = Math.max(0, ...segments.map((segment) => segment.duration));
  return {
    partTarget: drawn.partTarget,
    targetDuration: targetDurationFor(segments.map((segment) => segment.duration), Math.max(1, longest)),
    segments,
    discontinuitySequence: drawn.discontinuitySequence,
    pending,
    preloadHint: pending === null ? null : `part${nextMsn}.${pending.parts.length}.m4s`,
    ended: drawn.ended,
  };
});

describe('a rendered playlist read back', () => {
  it('§4.4: parsePlaylist finds the same segments, parts, durations, dates, maps and discontinuity numbers', () => {
    fc.assert(fc.property(windows, fc.constantFrom<SkipRequest>('no', 'yes', 'v2'), (window, skip) => {
      const parsed = parsePlaylist(renderMediaPlaylist(window, { skip }));
      const skipped = parsed.skippedSegments;
      expect(skipped).toBe(skip === 'no' || window.ended ? 0 : skippableSegments(window));
      expect(parsed.segments).toHaveLength(window.segments.length - skipped);
      expect(parsed.mediaSequence).toBe(window.segments[0]?.msn ?? window.pending?.msn ?? 0);
      expect(parsed.ended).toBe(window.ended);
      let discontinuities = window.discontinuitySequence;
      window.segments.forEach((segment, index) => {
        if (segment.discontinuity) discontinuities += 1;
        if (index < skipped) return;
        const read = parsed.segments[index - skipped]!;
        expect(read.uri).toBe(segment.uri);
        expect(read.duration).toBeCloseTo(segment.duration, 5);
        expect(read.programDateTime).toBe(Math.round(segment.programDateTime));
        expect(read.map).toBe(segment.map);
        // A delta update leaves out the skipped segments' DISCONTINUITY tags (§4.4.5.2): only a full playlist counts them all.
        if (skipped === 0) expect(read.discontinuitySequence).toBe(discontinuities);
        if (read.parts.length > 0) {
          expect(read.parts.map((part) => part.uri)).toEqual(segment.parts.map((part) => part.uri));
          read.parts.forEach((part, at) => {
            expect(part.duration).toBeCloseTo(segment.parts[at]!.duration, 5);
            expect(part.independent).toBe(segment.parts[at]!.independent);
          });
        }
      });
      expect(parsed.trailingParts.map((part) => part.uri)).toEqual(window.ended ? [] : window.pending?.parts.map((part) => part.uri) ?? []);
      expect(parsed.preloadHint).toBe(window.ended ? null : window.preloadHint);
    }), { numRuns: 300 });
  });

  it('§4.4: hls.js reads the same playlist the same way (its own M3U8Parser, as the watch page uses it)', () => {
    fc.assert(fc.property(windows.filter((window) => window.segments.length > 0), fc.constantFrom<SkipRequest>('no', 'yes'), (window, skip) => {
      const text = renderMediaPlaylist(window, { skip });
      const details = M3U8Parser.parseLevelPlaylist(text, 'http://room.test/hls/index.m3u8', 0, PlaylistLevelType.MAIN, 0, null);
      const skipped = skip === 'no' || window.ended ? 0 : skippableSegments(window);
      expect(details.skippedSegments).toBe(skipped);
      expect(details.startSN).toBe(window.segments[0]!.msn);
      expect(details.live).toBe(!window.ended);
      expect(details.canBlockReload).toBe(true);
      expect(details.partHoldBack).toBeGreaterThanOrEqual(3 * window.partTarget - 1e-9);
      expect(details.partTarget).toBeGreaterThanOrEqual(window.partTarget);
      const shown = window.segments.slice(skipped);
      const fragments = details.fragments.filter((fragment) => fragment !== null && fragment.relurl !== undefined && fragment.relurl !== '');
      expect(fragments.map((fragment) => fragment.relurl)).toEqual(shown.map((segment) => segment.uri));
      fragments.forEach((fragment, index) => {
        expect(fragment.sn).toBe(shown[index]!.msn);
        expect(fragment.duration).toBeCloseTo(shown[index]!.duration, 5);
        expect(fragment.programDateTime).toBe(Math.round(shown[index]!.programDateTime));
      });
      const listedParts = (details.partList ?? []).map((part) => part.relurl);
      const trailing = window.ended ? [] : window.pending?.parts.map((part) => part.uri) ?? [];
      expect(listedParts.slice(listedParts.length - trailing.length)).toEqual(trailing);
      expect(details.preloadHint?.URI ?? null).toBe(window.ended ? null : window.preloadHint);
    }), { numRuns: 150 });
  });
});
