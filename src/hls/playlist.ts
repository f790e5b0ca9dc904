/** What the transcoder needs to know of an HLS playlist ffmpeg wrote. Pure, unit-tested. */
export interface PlaylistSegment {
  readonly uri: string;
  readonly duration: number;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the epoch, when given. */
  readonly programDateTime: number | null;
}

export interface Playlist {
  /** A master playlist lists variants, not segments. */
  readonly master: boolean;
  readonly variants: readonly string[];
  readonly targetDuration: number | null;
  readonly mediaSequence: number;
  readonly segments: readonly PlaylistSegment[];
  readonly ended: boolean;
}

export function parsePlaylist(text: string): Playlist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist (no #EXTM3U)');
  const segments: PlaylistSegment[] = [];
  const variants: string[] = [];
  let targetDuration: number | null = null;
  let mediaSequence = 0;
  let ended = false;
  let master = false;
  let duration: number | null = null;
  let programDateTime: number | null = null;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line.startsWith('#EXT-X-STREAM-INF:')) master = true;
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      const at = Date.parse(line.slice(25));
      programDateTime = Number.isNaN(at) ? null : at;
    } else if (!line.startsWith('#')) {
      if (master) variants.push(line);
      else if (duration !== null) segments.push({ uri: line, duration, programDateTime });
      duration = null;
      programDateTime = null;
    }
  }
  return { master, variants, targetDuration, mediaSequence, segments, ended };
}

/** Appends #EXT-X-ENDLIST to a media playlist that lacks it (ffmpeg died before writing it). */
export function withEndList(text: string): string | null {
  if (/^#EXT-X-ENDLIST\s*$/m.test(text) || /^#EXT-X-STREAM-INF:/m.test(text)) return null;
  return `${text.endsWith('\n') ? text : `${text}\n`}#EXT-X-ENDLIST\n`;
}
