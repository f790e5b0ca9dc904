/**
 * A playlist request's delivery directives (RFC 8216bis §6.2.5) and when to answer it
 * (§6.2.5.2, Blocking Playlist Reload). Pure: the server holds a `wait` request and calls
 * isSatisfied again each time a part or segment is added (and answers 503 after its bound).
 */
import type { LlWindow, PlaylistQuery, SkipRequest } from './llTypes.js';

export type Judgement = { readonly kind: 'now' } | { readonly kind: 'wait' } | { readonly kind: 'bad'; readonly message: string };

/** `_HLS_msn` further than this past the last segment is refused (§6.2.5.2: "plus two"). */
export const MSN_LOOKAHEAD = 2;

const SKIP_VALUES: Readonly<Record<string, SkipRequest>> = { YES: 'yes', v2: 'v2' };

/** Reads `_HLS_msn`, `_HLS_part` and `_HLS_skip`; other parameters are not ours to judge. */
export function parsePlaylistQuery(search: URLSearchParams): PlaylistQuery | { readonly error: string } {
  const msn = decimalInteger(search, '_HLS_msn');
  if (typeof msn === 'string') return { error: msn };
  const part = decimalInteger(search, '_HLS_part');
  if (typeof part === 'string') return { error: part };
  // §6.2.5.2: a part without a segment is Bad Request.
  if (part !== null && msn === null) return { error: '_HLS_part needs _HLS_msn (the segment the part belongs to)' };
  const skipValues = search.getAll('_HLS_skip');
  if (skipValues.length > 1) return { error: '_HLS_skip is given more than once' };
  const rawSkip = skipValues[0];
  let skip: SkipRequest = 'no';
  if (rawSkip !== undefined) {
    const known = SKIP_VALUES[rawSkip];
    if (known === undefined) return { error: `_HLS_skip must be YES or v2 (got ${JSON.stringify(rawSkip)})` };
    skip = known;
  }
  return { msn, part, skip };
}

/** A decimal-integer directive (§4.2): null when absent, a message when malformed. */
function decimalInteger(search: URLSearchParams, name: string): number | null | string {
  const values = search.getAll(name);
  if (values.length === 0) return null;
  if (values.length > 1) return `${name} is given more than once`;
  const raw = values[0]!;
  if (!/^[0-9]+$/.test(raw)) return `${name} must be a whole number, 0 or more (got ${JSON.stringify(raw)})`;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) return `${name} is too large (got ${raw})`;
  return value;
}

/**
 * The Advance Part Limit (§6.2.5.2): three divided by the part target when it is under a
 * second, three otherwise; so about three seconds of parts ahead whatever the part size.
 */
export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? 3 / partTarget : 3;
}

/** Answer now, hold the request, or refuse it (400). */
export function judgeRequest(window: LlWindow, query: PlaylistQuery): Judgement {
  // §6.2.5.2: the directives are ignored once the playlist has EXT-X-ENDLIST.
  if (window.ended || query.msn === null) return { kind: 'now' };
  const lastMsn = lastSegmentMsn(window);
  if (query.msn > lastMsn + MSN_LOOKAHEAD) {
    return { kind: 'bad', message: `_HLS_msn=${query.msn} is more than ${MSN_LOOKAHEAD} segments past the last one (${lastMsn})` };
  }
  if (query.part !== null) {
    const ahead = partsAhead(window, query.msn, query.part);
    const limit = advancePartLimit(window.partTarget);
    if (ahead > limit) {
      return { kind: 'bad', message: `_HLS_msn=${query.msn}&_HLS_part=${query.part} is ${ahead} parts past the last one, more than the limit of ${Math.floor(limit)}` };
    }
  }
  return isSatisfied(window, query) ? { kind: 'now' } : { kind: 'wait' };
}

/**
 * Whether the playlist now holds what the request waits for (§6.2.5.2): segment `msn` or a later
 * one; with `part`, that part of segment `msn` or a later part. A part index past the last part
 * of a segment that is complete means part 0 of the next segment.
 */
export function isSatisfied(window: LlWindow, query: PlaylistQuery): boolean {
  if (window.ended || query.msn === null) return true;
  const last = window.segments.at(-1);
  const complete = last !== undefined && query.msn <= last.msn;
  if (query.part === null) return complete;
  if (complete) {
    const segment = window.segments.find((candidate) => candidate.msn === query.msn);
    // Gone from the window, or too old to keep its parts: the client is behind, it gets the playlist now.
    if (segment === undefined || segment.parts.length === 0) return true;
    if (query.part < segment.parts.length) return true;
    return hasFirstPart(window, query.msn + 1);
  }
  const pending = window.pending;
  return pending !== null && pending.msn === query.msn && query.part < pending.parts.length;
}

/** Whether segment `msn` has its part 0 in the playlist (or is complete). */
function hasFirstPart(window: LlWindow, msn: number): boolean {
  const last = window.segments.at(-1);
  if (last !== undefined && msn <= last.msn) return true;
  return window.pending !== null && window.pending.msn === msn && window.pending.parts.length > 0;
}

/** The msn of the last complete segment; before the first one, the one before the pending segment. */
function lastSegmentMsn(window: LlWindow): number {
  return window.segments.at(-1)?.msn ?? (window.pending?.msn ?? 0) - 1;
}

/**
 * How many parts past the last part in the playlist (msn, part) is. For a later segment the
 * count is a lower bound (every segment in between has at least one part, its own count is not
 * known yet), so only a request surely beyond the limit is refused.
 */
function partsAhead(window: LlWindow, msn: number, part: number): number {
  const last = lastPart(window);
  if (msn < last.msn) return -1;
  if (msn > last.msn) return part + (msn - last.msn);
  // A complete segment has no part past its last: such a request is for part 0 of the next one.
  if (last.complete && part > last.index) return 1;
  return part - last.index;
}

/** The last part in the playlist and whether its segment is complete; before any, index -1 of the segment that gets the first. */
function lastPart(window: LlWindow): { readonly msn: number; readonly index: number; readonly complete: boolean } {
  const pending = window.pending;
  if (pending !== null && pending.parts.length > 0) return { msn: pending.msn, index: pending.parts.length - 1, complete: false };
  const last = window.segments.at(-1);
  if (last !== undefined && last.parts.length > 0) return { msn: last.msn, index: last.parts.length - 1, complete: true };
  return { msn: pending?.msn ?? (last === undefined ? 0 : last.msn + 1), index: -1, complete: false };
}
