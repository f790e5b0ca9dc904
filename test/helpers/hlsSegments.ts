import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PlaylistSegment } from '../../src/hls/playlist.js';

/**
 * One segment of a room's playlist as a file ffprobe can read alone: an fMP4 segment (LL-HLS)
 * with its EXT-X-MAP init before it, a classic MPEG-TS segment as it is. `base` is the playlist's
 * folder URL (e.g. `http://127.0.0.1:34000/hls/`).
 */
export async function segmentFile(base: string, segment: PlaylistSegment): Promise<string> {
  const get = async (uri: string) => {
    const response = await fetch(new URL(uri, base));
    if (!response.ok) throw new Error(`GET ${uri}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
  const parts = [...(segment.map ? [await get(segment.map)] : []), await get(segment.uri)];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'segment-'));
  const file = path.join(dir, segment.map ? 'segment.mp4' : 'segment.ts');
  await writeFile(file, Buffer.concat(parts));
  return file;
}
