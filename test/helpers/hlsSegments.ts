import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parsePlaylist, type Playlist, type PlaylistSegment } from '../../src/hls/playlist.js';
import { probe } from './media.js';

/** Where segment files for ffprobe go: one folder per test process, removed when it exits. */
let scratch: string | undefined;
function scratchDir(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'segments-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}
let files = 0;

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
  files += 1;
  const file = path.join(scratchDir(), `segment-${files}.${segment.map ? 'mp4' : 'ts'}`);
  await writeFile(file, Buffer.concat(parts));
  return file;
}

/** A room's live playlist and the codecs ffprobe finds in its first segment (sorted). */
export async function firstSegmentCodecs(port: number): Promise<{ playlist: Playlist; codecs: string[] }> {
  const playlist = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
  const first = playlist.segments[0];
  if (!first) return { playlist, codecs: [] };
  const probed = await probe(await segmentFile(`http://127.0.0.1:${port}/hls/`, first));
  return { playlist, codecs: probed.streams.map((s) => s.codec_name).sort() };
}
