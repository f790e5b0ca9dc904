import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePlaylist, withEndList } from './playlist.js';

/**
 * Closes a stream's media playlists with #EXT-X-ENDLIST so players stop waiting. ffmpeg never
 * writes it (`omit_endlist`: a dropped producer may come back), so the stream's end is ours to
 * write: a temp file renamed over the playlist, as ffmpeg's own `temp_file` does, so a player
 * never reads half a playlist. Returns the files changed.
 */
export async function closePlaylists(dir: string, files: readonly string[]): Promise<string[]> {
  const changed: string[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const text = await readFile(full, 'utf8').catch(() => null);
    const closed = text === null ? null : withEndList(text);
    if (closed === null) continue;
    const temp = `${full}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, closed);
      await rename(temp, full);
      changed.push(file);
    } catch {
      await rm(temp, { force: true });
    }
  }
  return changed;
}

/**
 * The media sequence number of the newest segment each playlist lists (absent: no playlist or
 * no segment), so a resuming ffmpeg's transcoder counts only the segments it adds.
 */
export async function lastSequences(dir: string, files: readonly string[]): Promise<Map<string, number>> {
  const sequences = new Map<string, number>();
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => null);
    if (text === null) continue;
    try {
      const playlist = parsePlaylist(text);
      if (playlist.segments.length > 0) sequences.set(file, playlist.mediaSequence + playlist.segments.length - 1);
    } catch {
      // A damaged playlist: ffmpeg starts it over, every segment is new.
    }
  }
  return sequences;
}

/** The segment URIs the playlists list (a new worker serves a suspended stream's segments: see ListedSegments). */
export async function listedSegmentUris(dir: string, files: readonly string[]): Promise<string[]> {
  const uris: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => null);
    if (text === null) continue;
    try {
      for (const segment of parsePlaylist(text).segments) uris.push(segment.uri);
    } catch {
      // A damaged playlist lists nothing worth serving.
    }
  }
  return uris;
}
