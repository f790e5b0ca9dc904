/**
 * The Low-Latency HLS playlists, written per request from the live window (RFC 8216bis,
 * draft-pantos-hls-rfc8216bis; section numbers below are its). Pure: text in, text out.
 */
import type { LlPart, LlWindow, RenditionReport, SkipRequest } from './llTypes.js';
import { dateTime, quoted, seconds, uriLine } from './m3uFormat.js';

export interface MediaPlaylistOptions {
  /** `_HLS_skip` of the request: a delta update is written only when asked and when segments are old enough. */
  readonly skip: SkipRequest;
  /** EXT-X-RENDITION-REPORT of the other renditions (§4.4.5.4), so a client switches without a blind reload. */
  readonly renditionReports?: readonly RenditionReport[];
}

/** PART-HOLD-BACK in parts: §4.4.3.8 MUST at least 2, SHOULD at least 3; 3 is the lowest latency the RFC recommends. */
export const PART_HOLD_BACK_PARTS = 3;
/** HOLD-BACK in target durations: §4.4.3.8 MUST at least 3. */
export const HOLD_BACK_TARGETS = 3;
/** CAN-SKIP-UNTIL (the Skip Boundary) in target durations: §4.4.3.8 MUST at least 6. */
export const SKIP_BOUNDARY_TARGETS = 6;
/** EXT-X-PART tags SHOULD go once they are more than three target durations from the end (§6.2.2). */
export const PART_LISTING_TARGETS = 3;

/**
 * EXT-X-MAP needs version 6 (§4.4.4.5) and EXT-X-SKIP 9 (§8); every live playlist says 9, so a
 * delta update never changes the version a client saw (a skip-capable server, CAN-SKIP-UNTIL).
 * With RECENTLY-REMOVED-DATERANGES (an `_HLS_skip=v2` update) version 10.
 */
const VERSION_LOW_LATENCY = 9;
const VERSION_SKIP_DATERANGES = 10;

/** Float noise in sums of durations (0.2 * 3 is 0.6000000000000001) is not a real excess. */
const EPSILON = 1e-9;

/** The hold-backs and skip boundary a window's SERVER-CONTROL advertises, seconds. */
export function serverControl(window: Pick<LlWindow, 'partTarget' | 'targetDuration'>): { partHoldBack: number; holdBack: number; canSkipUntil: number } {
  return {
    partHoldBack: PART_HOLD_BACK_PARTS * window.partTarget,
    holdBack: HOLD_BACK_TARGETS * window.targetDuration,
    canSkipUntil: SKIP_BOUNDARY_TARGETS * window.targetDuration,
  };
}

/**
 * How many of the oldest segments a delta update replaces with EXT-X-SKIP (§6.2.5.1): those that
 * end further than the Skip Boundary from the end of the last segment (the whole segment beyond
 * it: a client that reloaded within the boundary already has every one of them).
 */
export function skippableSegments(window: LlWindow): number {
  const { canSkipUntil } = serverControl(window);
  let fromEnd = 0;
  for (let index = window.segments.length - 1; index >= 0; index -= 1) {
    if (fromEnd > canSkipUntil + EPSILON) return index + 1;
    fromEnd += window.segments[index]!.duration;
  }
  return 0;
}

export function renderMediaPlaylist(window: LlWindow, options: MediaPlaylistOptions): string {
  // §6.2.5.1: _HLS_skip is ignored once the playlist has EXT-X-ENDLIST.
  const skipped = options.skip === 'no' || window.ended ? 0 : skippableSegments(window);
  const version = skipped > 0 && options.skip === 'v2' ? VERSION_SKIP_DATERANGES : VERSION_LOW_LATENCY;
  const control = serverControl(window);
  const firstMsn = window.segments[0]?.msn ?? window.pending?.msn ?? 0;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${version}`,
    `#EXT-X-TARGETDURATION:${window.targetDuration}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(control.partHoldBack, 'up')},HOLD-BACK=${seconds(control.holdBack, 'up')},CAN-SKIP-UNTIL=${seconds(control.canSkipUntil, 'up')}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(window.partTarget, 'up')}`,
    `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
    // Before EXT-X-SKIP: the skip stands for segments, and this tag must come before any (§4.4.3.3).
    `#EXT-X-DISCONTINUITY-SEQUENCE:${window.discontinuitySequence}`,
  ];
  if (skipped > 0) lines.push(options.skip === 'v2' ? `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped},RECENTLY-REMOVED-DATERANGES=""` : `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);

  const listsPartsFrom = firstSegmentWithListedParts(window);
  let map: string | null = null;
  window.segments.forEach((segment, index) => {
    if (index < skipped) return;
    // §4.4.4.9: tags applied to a parent segment come before its first EXT-X-PART.
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.map !== map) lines.push(mapTag(segment.map));
    map = segment.map;
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${dateTime(segment.programDateTime)}`);
    if (index >= listsPartsFrom) for (const part of segment.parts) lines.push(partTag(part));
    lines.push(`#EXTINF:${seconds(segment.duration, 'nearest')},`, uriLine(segment.uri));
  });

  if (!window.ended) {
    const pending = window.pending;
    if (pending !== null && pending.parts.length > 0) {
      if (pending.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      if (pending.map !== map) lines.push(mapTag(pending.map));
      if (pending.programDateTime !== null) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${dateTime(pending.programDateTime)}`);
      for (const part of pending.parts) lines.push(partTag(part));
    }
    // §4.4.5.3: a playlist with EXT-X-ENDLIST has no preload hint.
    if (window.preloadHint !== null) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI=${quoted(window.preloadHint, 'a preload hint URI')}`);
    for (const report of options.renditionReports ?? []) lines.push(renditionReportTag(report));
  } else {
    lines.push('#EXT-X-ENDLIST');
  }
  return `${lines.join('\n')}\n`;
}

/** The index of the oldest segment whose parts are listed: those starting within PART_LISTING_TARGETS of the end. */
function firstSegmentWithListedParts(window: LlWindow): number {
  const limit = PART_LISTING_TARGETS * window.targetDuration + EPSILON;
  let fromEnd = window.ended ? 0 : sum(window.pending?.parts ?? []);
  let first = window.segments.length;
  for (let index = window.segments.length - 1; index >= 0; index -= 1) {
    fromEnd += window.segments[index]!.duration;
    if (fromEnd > limit) break;
    first = index;
  }
  return first;
}

function sum(parts: readonly LlPart[]): number {
  return parts.reduce((total, part) => total + part.duration, 0);
}

function partTag(part: LlPart): string {
  const independent = part.independent ? ',INDEPENDENT=YES' : '';
  return `#EXT-X-PART:DURATION=${seconds(part.duration, 'nearest')},URI=${quoted(part.uri, 'a part URI')}${independent}`;
}

function mapTag(uri: string): string {
  return `#EXT-X-MAP:URI=${quoted(uri, 'a map URI')}`;
}

function renditionReportTag(report: RenditionReport): string {
  if (!Number.isSafeInteger(report.lastMsn) || report.lastMsn < 0 || !Number.isSafeInteger(report.lastPart) || report.lastPart < 0) {
    throw new RangeError(`a rendition report needs whole, non-negative LAST-MSN and LAST-PART (got ${report.lastMsn}, ${report.lastPart})`);
  }
  return `#EXT-X-RENDITION-REPORT:URI=${quoted(report.uri, 'a rendition report URI')},LAST-MSN=${report.lastMsn},LAST-PART=${report.lastPart}`;
}

export { renderMasterPlaylist, type Variant } from './masterPlaylist.js';
