/**
 * What the server needs to know of an HLS playlist: ffmpeg's classic playlists, and the
 * Low-Latency ones the worker writes itself (read back at recovery). Pure, unit-tested.
 */
import { parseAttributeList } from './attributeList.js';

/** An EXT-X-PART (RFC 8216bis §4.4.4.9). */
export interface PlaylistPart {
  readonly uri: string;
  readonly duration: number;
  readonly independent: boolean;
}

export interface PlaylistSegment {
  readonly uri: string;
  readonly duration: number;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the epoch, when given. */
  readonly programDateTime: number | null;
  /** The EXT-X-MAP URI that applies to it, if any. */
  readonly map: string | null;
  /** An EXT-X-DISCONTINUITY comes right before it. */
  readonly discontinuity: boolean;
  /** Its Discontinuity Sequence Number (EXT-X-DISCONTINUITY-SEQUENCE plus the discontinuities up to it). */
  readonly discontinuitySequence: number;
  /** Its EXT-X-PART tags, in order ([] when the playlist lists none for it). */
  readonly parts: readonly PlaylistPart[];
}

export interface Playlist {
  /** A master playlist lists variants, not segments. */
  readonly master: boolean;
  readonly variants: readonly string[];
  readonly version: number | null;
  readonly targetDuration: number | null;
  readonly mediaSequence: number;
  readonly discontinuitySequence: number;
  /** EXT-X-SKIP SKIPPED-SEGMENTS: a delta update stands for this many segments before its first. */
  readonly skippedSegments: number;
  /** EXT-X-PART-INF PART-TARGET, seconds. */
  readonly partTarget: number | null;
  /** EXT-X-SERVER-CONTROL's attributes (empty without the tag). */
  readonly serverControl: ReadonlyMap<string, string>;
  readonly segments: readonly PlaylistSegment[];
  /** Parts after the last segment: those of the segment being written. */
  readonly trailingParts: readonly PlaylistPart[];
  /** EXT-X-PRELOAD-HINT TYPE=PART URI. */
  readonly preloadHint: string | null;
  readonly renditionReports: readonly { readonly uri: string; readonly lastMsn: number; readonly lastPart: number | null }[];
  readonly ended: boolean;
}

/** Parses a playlist; throws with the reason when it is not one or a Low-Latency tag is malformed. */
export function parsePlaylist(text: string): Playlist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  const segments: PlaylistSegment[] = [];
  const variants: string[] = [];
  const renditionReports: { uri: string; lastMsn: number; lastPart: number | null }[] = [];
  let version: number | null = null;
  let targetDuration: number | null = null;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let skippedSegments = 0;
  let partTarget: number | null = null;
  let serverControl: ReadonlyMap<string, string> = new Map();
  let preloadHint: string | null = null;
  let ended = false;
  let master = false;
  let map: string | null = null;
  let discontinuities = 0;
  // What applies to the next segment URI.
  let duration: number | null = null;
  let programDateTime: number | null = null;
  let discontinuity = false;
  let parts: PlaylistPart[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    switch (tag) {
      case '#EXT-X-VERSION': version = Number(value); break;
      case '#EXT-X-TARGETDURATION': targetDuration = Number(value); break;
      case '#EXT-X-MEDIA-SEQUENCE': mediaSequence = Number(value); break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE': discontinuitySequence = Number(value); break;
      case '#EXT-X-ENDLIST': ended = true; break;
      case '#EXT-X-STREAM-INF': master = true; break;
      case '#EXTINF': duration = Number.parseFloat(value); break;
      case '#EXT-X-DISCONTINUITY': discontinuity = true; discontinuities += 1; break;
      case '#EXT-X-PROGRAM-DATE-TIME': {
        const at = Date.parse(value);
        programDateTime = Number.isNaN(at) ? null : at;
        break;
      }
      case '#EXT-X-MAP': map = required(parseAttributeList(value), 'URI', line); break;
      case '#EXT-X-PART': parts.push(part(line, value)); break;
      case '#EXT-X-PART-INF': partTarget = number(parseAttributeList(value), 'PART-TARGET', line); break;
      case '#EXT-X-SERVER-CONTROL': serverControl = parseAttributeList(value); break;
      case '#EXT-X-SKIP': skippedSegments = number(parseAttributeList(value), 'SKIPPED-SEGMENTS', line); break;
      case '#EXT-X-PRELOAD-HINT': {
        const attributes = parseAttributeList(value);
        if (required(attributes, 'TYPE', line) === 'PART') preloadHint = required(attributes, 'URI', line);
        break;
      }
      case '#EXT-X-RENDITION-REPORT': {
        const attributes = parseAttributeList(value);
        const lastPart = attributes.has('LAST-PART') ? number(attributes, 'LAST-PART', line) : null;
        renditionReports.push({ uri: required(attributes, 'URI', line), lastMsn: number(attributes, 'LAST-MSN', line), lastPart });
        break;
      }
      default:
        if (line.startsWith('#')) break;
        if (master) variants.push(line);
        else if (duration !== null) {
          segments.push({ uri: line, duration, programDateTime, map, discontinuity, discontinuitySequence: discontinuitySequence + discontinuities, parts });
        }
        duration = null;
        programDateTime = null;
        discontinuity = false;
        parts = [];
    }
  }
  return {
    master, variants, version, targetDuration, mediaSequence, discontinuitySequence, skippedSegments, partTarget, serverControl,
    segments, trailingParts: parts, preloadHint, renditionReports, ended,
  };
}

function part(line: string, value: string): PlaylistPart {
  const attributes = parseAttributeList(value);
  return { uri: required(attributes, 'URI', line), duration: number(attributes, 'DURATION', line), independent: attributes.get('INDEPENDENT') === 'YES' };
}

function required(attributes: ReadonlyMap<string, string>, name: string, line: string): string {
  const value = attributes.get(name);
  if (value === undefined || value === '') throw new Error(`${line} has no ${name}`);
  return value;
}

function number(attributes: ReadonlyMap<string, string>, name: string, line: string): number {
  const value = Number(required(attributes, name, line));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${line}: ${name} is not a non-negative number`);
  return value;
}

/** Appends #EXT-X-ENDLIST to a media playlist that lacks it (ffmpeg died before writing it). */
export function withEndList(text: string): string | null {
  if (/^#EXT-X-ENDLIST\s*$/m.test(text) || /^#EXT-X-STREAM-INF:/m.test(text)) return null;
  return `${text.endsWith('\n') ? text : `${text}\n`}#EXT-X-ENDLIST\n`;
}
