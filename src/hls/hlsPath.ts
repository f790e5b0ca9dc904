/**
 * Which request paths under /hls/ name a file we may serve. Only names ffmpeg writes pass:
 * one plain file name, letters, digits, `-` and `_`, and an HLS extension. No `/`, no `..`,
 * no `%` escapes survive, so nothing outside the room's folder can ever be named.
 */
export type HlsFileKind = 'playlist' | 'segment';

const HLS_FILE = /^[A-Za-z0-9_-]{1,128}\.(m3u8|ts)$/;

export interface HlsFile {
  readonly name: string;
  readonly kind: HlsFileKind;
  readonly contentType: string;
}

/** `rest` is the raw path after `/hls/` (still percent-encoded); null when it is not ours. */
export function parseHlsPath(rest: string): HlsFile | null {
  const match = HLS_FILE.exec(rest);
  if (!match) return null;
  return match[1] === 'm3u8'
    ? { name: rest, kind: 'playlist', contentType: 'application/vnd.apple.mpegurl' }
    : { name: rest, kind: 'segment', contentType: 'video/mp2t' };
}
