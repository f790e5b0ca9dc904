/** A complete segment, given to ffmpeg on stdin: fMP4 (init + media segment) or a classic MPEG-TS segment. */
export interface PosterInput {
  readonly bytes: Buffer;
  readonly format: 'mp4' | 'mpegts';
}

/**
 * ffmpeg's arguments for one poster frame (pure, never a shell string): only keyframes are
 * decoded (`-skip_frame nokey`), the first one is scaled down to `width` (never up, even
 * height, aspect kept) and written as one JPEG on stdout. One thread: a thumbnail must not
 * compete with the room's own ffmpeg.
 */
export function posterFrameArgs(format: PosterInput['format'], width: number): string[] {
  return [
    '-hide_banner',
    '-loglevel', 'error',
    '-threads', '1',
    '-skip_frame', 'nokey',
    '-f', format,
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-frames:v', '1',
    '-an', '-sn', '-dn',
    '-vf', `scale='min(${width},iw)':-2`,
    '-c:v', 'mjpeg',
    '-q:v', '5',
    '-f', 'image2pipe',
    'pipe:1',
  ];
}
