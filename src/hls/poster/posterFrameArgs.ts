/** Where the frame is read from: a complete classic segment on disk, or fMP4 bytes on stdin. */
export type PosterInput = { readonly file: string } | { readonly bytes: Buffer };

/**
 * ffmpeg's arguments for one poster frame (pure, never a shell string): only keyframes are
 * decoded (`-skip_frame nokey`), the first one is scaled down to `width` (never up, even
 * height, aspect kept) and written as one JPEG on stdout. One thread: a thumbnail must not
 * compete with the room's own ffmpeg.
 */
export function posterFrameArgs(input: PosterInput, width: number): string[] {
  const source = 'file' in input ? ['-nostdin', '-i', input.file] : ['-f', 'mp4', '-i', 'pipe:0'];
  return [
    '-hide_banner',
    '-loglevel', 'error',
    '-threads', '1',
    '-skip_frame', 'nokey',
    ...source,
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
