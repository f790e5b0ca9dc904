/**
 * Delivery directives and Blocking Playlist Reload against RFC 8216bis §6.2.5 / §6.2.5.2; each
 * test names the rule it checks. Pure: windows as the packager would fill them.
 */
import { describe, expect, it } from 'vitest';
import { advancePartLimit, isSatisfied, judgeRequest, parsePlaylistQuery } from '../../src/hls/ll/blockingRequest.js';
import type { LlWindow, PlaylistQuery } from '../../src/hls/ll/llTypes.js';
import { llWindow, partsOf } from '../helpers/llWindow.js';

const query = (msn: number | null, part: number | null = null): PlaylistQuery => ({ msn, part, skip: 'no' });
const parse = (text: string) => parsePlaylistQuery(new URLSearchParams(text));

/** The window with one more part in its pending segment, as the packager adds them. */
function withPart(window: LlWindow): LlWindow {
  const pending = window.pending!;
  return { ...window, pending: { ...pending, parts: partsOf(pending.msn, pending.parts.length + 1, window.partTarget) } };
}

describe('parsePlaylistQuery', () => {
  it('§6.2.5: reads _HLS_msn, _HLS_part and _HLS_skip, and leaves other parameters alone', () => {
    expect(parse('')).toEqual({ msn: null, part: null, skip: 'no' });
    expect(parse('_HLS_msn=12')).toEqual({ msn: 12, part: null, skip: 'no' });
    expect(parse('_HLS_msn=12&_HLS_part=0&_HLS_skip=YES&cache=1')).toEqual({ msn: 12, part: 0, skip: 'yes' });
    expect(parse('_HLS_skip=v2')).toEqual({ msn: null, part: null, skip: 'v2' });
  });

  it.each([
    ['_HLS_msn=1.5', /_HLS_msn must be a whole number/],
    ['_HLS_msn=-1', /_HLS_msn must be a whole number/],
    ['_HLS_msn=', /_HLS_msn must be a whole number/],
    ['_HLS_msn=+3', /_HLS_msn must be a whole number/],
    ['_HLS_msn=0x10', /_HLS_msn must be a whole number/],
    ['_HLS_msn=99999999999999999999', /_HLS_msn is too large/],
    ['_HLS_msn=1&_HLS_msn=2', /_HLS_msn is given more than once/],
    ['_HLS_msn=1&_HLS_part=a', /_HLS_part must be a whole number/],
    ['_HLS_part=2', /_HLS_part needs _HLS_msn/],
    ['_HLS_skip=yes', /_HLS_skip must be YES or v2/],
    ['_HLS_skip=NO', /_HLS_skip must be YES or v2/],
    ['_HLS_skip=YES&_HLS_skip=v2', /_HLS_skip is given more than once/],
  ])('§4.2, §6.2.5.2: %s is refused with the reason', (text, message) => {
    const parsed = parse(text);
    expect(parsed).toHaveProperty('error');
    expect((parsed as { error: string }).error).toMatch(message);
  });
});

describe('judgeRequest and isSatisfied', () => {
  // Segments 10-13 complete (5 parts of 0.2 s each), segment 14 pending with 2 parts.
  const live = llWindow({ firstMsn: 10, segments: 4, partsPerSegment: 5, pendingParts: 2 });

  it('§6.2.5.2: without _HLS_msn the playlist is answered at once', () => {
    expect(judgeRequest(live, query(null))).toEqual({ kind: 'now' });
  });

  it('§6.2.5.2: _HLS_msn alone waits until that segment (or a later one) is complete', () => {
    expect(judgeRequest(live, query(13))).toEqual({ kind: 'now' });
    expect(judgeRequest(live, query(11))).toEqual({ kind: 'now' });
    // Segment 14 is only pending: its parts are listed, but it is not yet a Media Segment.
    expect(judgeRequest(live, query(14))).toEqual({ kind: 'wait' });
    expect(judgeRequest(live, query(15))).toEqual({ kind: 'wait' });
  });

  it('§6.2.5.2: an _HLS_msn more than two past the last segment is Bad Request at once', () => {
    const judged = judgeRequest(live, query(16));
    expect(judged).toMatchObject({ kind: 'bad' });
    expect(judged.kind === 'bad' && judged.message).toMatch(/_HLS_msn=16 is more than 2 segments past the last one \(13\)/);
    // Before the first segment is complete (segment 0 pending), msn 1 is the furthest allowed.
    const starting = llWindow({ segments: 0, pendingParts: 1 });
    expect(judgeRequest(starting, query(1))).toEqual({ kind: 'wait' });
    expect(judgeRequest(starting, query(2))).toMatchObject({ kind: 'bad' });
  });

  it('§6.2.5.2: _HLS_part waits until that part of that segment is in the playlist', () => {
    expect(judgeRequest(live, query(14, 1))).toEqual({ kind: 'now' });
    expect(judgeRequest(live, query(14, 2))).toEqual({ kind: 'wait' });
    expect(isSatisfied(withPart(live), query(14, 2))).toBe(true);
    expect(judgeRequest(live, query(12, 4))).toEqual({ kind: 'now' });
    // Part 0 of the next segment: waits for the pending segment to end and the next to start.
    expect(judgeRequest(live, query(15, 0))).toEqual({ kind: 'wait' });
  });

  it('§6.2.5.2: the Advance Part Limit is 3 / PART-TARGET under a second (15 parts of 0.2 s), 3 otherwise', () => {
    expect(advancePartLimit(0.2)).toBeCloseTo(15, 9);
    expect(advancePartLimit(0.5)).toBe(6);
    expect(advancePartLimit(1)).toBe(3);
    expect(advancePartLimit(2)).toBe(3);
    // The last part is 14.1; 14.16 is 15 parts past it, 14.17 is 16.
    expect(judgeRequest(live, query(14, 16))).toEqual({ kind: 'wait' });
    const tooFar = judgeRequest(live, query(14, 17));
    expect(tooFar).toMatchObject({ kind: 'bad' });
    expect(tooFar.kind === 'bad' && tooFar.message).toMatch(/16 parts past the last one, more than the limit of 15/);
    // In the next segment the count is at least part + 1 (this one's remaining parts are not known yet).
    expect(judgeRequest(live, query(15, 14))).toEqual({ kind: 'wait' });
    expect(judgeRequest(live, query(15, 15))).toMatchObject({ kind: 'bad' });
    // Parts of 2 s: three parts ahead at most.
    const long = llWindow({ firstMsn: 10, segments: 2, partsPerSegment: 2, partTarget: 2, pendingParts: 1 });
    expect(judgeRequest(long, query(12, 3))).toEqual({ kind: 'wait' });
    expect(judgeRequest(long, query(12, 4))).toMatchObject({ kind: 'bad' });
  });

  it('§6.2.5.2: a part past the last of a segment that ended with fewer parts is part 0 of the next segment', () => {
    // Segment 13 ended with 5 parts (0-4); a client that expected more asks for 13.5 or beyond.
    const justEnded = llWindow({ firstMsn: 10, segments: 4, partsPerSegment: 5, pendingParts: 0 });
    expect(judgeRequest(justEnded, query(13, 5))).toEqual({ kind: 'wait' });
    expect(judgeRequest(justEnded, query(13, 9))).toEqual({ kind: 'wait' });
    const next = withPart(justEnded);
    expect(isSatisfied(next, query(13, 5))).toBe(true);
    expect(isSatisfied(next, query(13, 9))).toBe(true);
    // Not a refusal either: it is one part ahead, not the index's distance.
    expect(judgeRequest(justEnded, query(13, 40))).toEqual({ kind: 'wait' });
  });

  it('§6.2.5.2: held requests are released part by part, in order, as the packager adds them', () => {
    let window = llWindow({ firstMsn: 10, segments: 2, partsPerSegment: 5, pendingParts: 0 });
    const held = [query(12, 0), query(12, 1), query(12, 2)];
    const released: number[] = [];
    for (let added = 1; added <= 3; added += 1) {
      window = withPart(window);
      held.forEach((request, index) => {
        if (!released.includes(index) && isSatisfied(window, request)) released.push(index);
      });
      expect(released).toEqual(Array.from({ length: added }, (_, index) => index));
    }
  });

  it('§6.2.5.2: a segment no longer in the window (or whose parts are gone) is answered at once with the whole playlist', () => {
    expect(judgeRequest(live, query(3))).toEqual({ kind: 'now' });
    expect(judgeRequest(live, query(3, 2))).toEqual({ kind: 'now' });
    const old = { ...live, segments: live.segments.map((segment) => (segment.msn === 10 ? { ...segment, parts: [] } : segment)) };
    expect(judgeRequest(old, query(10, 3))).toEqual({ kind: 'now' });
  });

  it('§6.2.5.2: once the playlist has EXT-X-ENDLIST the directives are ignored: answered at once, never refused', () => {
    const ended = llWindow({ firstMsn: 10, segments: 4, ended: true });
    expect(judgeRequest(ended, query(14, 0))).toEqual({ kind: 'now' });
    expect(judgeRequest(ended, query(1000, 500))).toEqual({ kind: 'now' });
    expect(isSatisfied(ended, query(1000))).toBe(true);
  });

  it('§6.2.5.2: a request that cannot be answered yet is not satisfied (the server keeps holding it)', () => {
    expect(isSatisfied(live, query(14))).toBe(false);
    expect(isSatisfied(live, query(14, 2))).toBe(false);
    expect(isSatisfied(live, query(15, 0))).toBe(false);
    expect(isSatisfied(llWindow({ segments: 0, pendingParts: null }), query(0, 0))).toBe(false);
  });
});
