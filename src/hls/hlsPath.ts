/**
 * Which request paths under /hls/ name a file we may serve. Only names the server's streams
 * write pass: one plain file name, letters, digits, `-` and `_`, and an HLS extension. No `/`,
 * no `..`, no `%` escapes survive, so nothing outside the room's folder can ever be named.
 */
export type HlsFileKind = 'playlist' | 'segment' | 'media' | 'init';

const HLS_FILE = /^[A-Za-z0-9_-]{1,128}\.(m3u8|ts|m4s|mp4)$/;

export interface HlsFile {
  readonly name: string;
  /** playlist; segment: classic MPEG-TS; media: an fMP4 part or segment; init: an fMP4 init segment. */
  readonly kind: HlsFileKind;
  readonly contentType: string;
}

const KINDS: Record<string, Omit<HlsFile, 'name'>> = {
  m3u8: { kind: 'playlist', contentType: 'application/vnd.apple.mpegurl' },
  ts: { kind: 'segment', contentType: 'video/mp2t' },
  m4s: { kind: 'media', contentType: 'video/mp4' },
  mp4: { kind: 'init', contentType: 'video/mp4' },
};

/** `rest` is the raw path after `/hls/` (still percent-encoded); null when it is not ours. */
export function parseHlsPath(rest: string): HlsFile | null {
  const match = HLS_FILE.exec(rest);
  return match ? { name: rest, ...KINDS[match[1]!]! } : null;
}
