/**
 * The playlist of a recording (RFC 8216bis media playlist), rendered from what was written and
 * read back at recovery. While recording it is an EVENT playlist (segments only added, no
 * ENDLIST: players may start at the beginning and follow the end); finished, a VOD playlist.
 */

/** One segment fully written to the recording's folder. */
export interface RecordedSegment {
  /** Its media sequence number: the file is `seg-<msn>.m4s`. */
  readonly msn: number;
  /** Seconds. */
  readonly duration: number;
  /** Wall clock of its first frame, ms since the epoch. */
  readonly programDateTime: number;
  /** The init segment it needs: `init-<init>.mp4`; a change of init is a discontinuity. */
  readonly init: number;
}

export const PLAYLIST_FILE = 'index.m3u8';
export const initFile = (init: number): string => `init-${init}.mp4`;
export const segmentFile = (msn: number): string => `seg-${msn}.m4s`;

/**
 * EXT-X-VERSION 7: EXT-X-MAP in a playlist without I-frames needs 6; 7 leaves room for the
 * attributes the live playlist uses.
 */
const VERSION = 7;

export function renderRecordingPlaylist(segments: readonly RecordedSegment[], ended: boolean): string {
  const playlist = new RecordingPlaylistText();
  for (const segment of segments) playlist.add(segment);
  return playlist.text(ended);
}

/**
 * A recording's playlist built as segments come: each adds its lines to the body once, so
 * writing the playlist after every segment costs the header and one join, not a render of
 * every segment so far (a day of 1 s segments is 86,400 of them).
 */
export class RecordingPlaylistText {
  #body = '';
  #init: number | null = null;
  #longest = 0;
  #count = 0;

  get segments(): number {
    return this.#count;
  }

  add(segment: RecordedSegment): void {
    if (segment.init !== this.#init) {
      if (this.#init !== null) this.#body += '#EXT-X-DISCONTINUITY\n';
      this.#body += `#EXT-X-MAP:URI="${initFile(segment.init)}"\n#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}\n`;
      this.#init = segment.init;
    }
    this.#body += `#EXTINF:${segment.duration.toFixed(3)},\n${segmentFile(segment.msn)}\n`;
    this.#longest = Math.max(this.#longest, segment.duration);
    this.#count += 1;
  }

  text(ended: boolean): string {
    // Every EXTINF rounded to the nearest integer must be <= the target duration: the ceiling always is.
    const target = Math.max(1, Math.ceil(this.#longest));
    const header = `#EXTM3U\n#EXT-X-VERSION:${VERSION}\n#EXT-X-TARGETDURATION:${target}\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}\n`;
    return `${header}${this.#body}${ended ? '#EXT-X-ENDLIST\n' : ''}`;
  }
}

/** What a recording's playlist on disk says: its segments, and whether it has ENDLIST. */
export interface ParsedRecordingPlaylist {
  readonly segments: RecordedSegment[];
  readonly ended: boolean;
}

/**
 * Reads a playlist renderRecordingPlaylist wrote. A segment without its own PROGRAM-DATE-TIME
 * starts where the previous one ended. Throws on anything else: a recording's playlist is only
 * ever written whole (temp file + rename), so a playlist that does not parse was not ours.
 */
export function parseRecordingPlaylist(text: string): ParsedRecordingPlaylist {
  const lines = text.split('\n').map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  const segments: RecordedSegment[] = [];
  let init: number | null = null;
  let next: number | null = null;
  let duration: number | null = null;
  let ended = false;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MAP:')) init = numberIn(/URI="init-(\d+)\.mp4"/, line);
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) next = checked(Date.parse(line.slice(25)), line);
    else if (line.startsWith('#EXTINF:')) duration = checked(Number.parseFloat(line.slice(8)), line);
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line !== '' && !line.startsWith('#')) {
      const msn = numberIn(/^seg-(\d+)\.m4s$/, line);
      if (init === null || next === null || duration === null) throw new Error(`segment ${line} before its EXT-X-MAP, PROGRAM-DATE-TIME or EXTINF`);
      segments.push({ msn, duration, programDateTime: next, init });
      next += duration * 1000;
      duration = null;
    }
  }
  return { segments, ended };
}

function numberIn(pattern: RegExp, line: string): number {
  const match = pattern.exec(line);
  if (!match) throw new Error(`unexpected line in a recording playlist: ${line.slice(0, 80)}`);
  return Number(match[1]);
}

function checked(value: number, line: string): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`bad value in a recording playlist: ${line.slice(0, 80)}`);
  return value;
}
