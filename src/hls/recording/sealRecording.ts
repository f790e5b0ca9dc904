import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { initFile, parseRecordingPlaylist, PLAYLIST_FILE, renderRecordingPlaylist, segmentFile, type RecordedSegment } from './recordingPlaylist.js';

/** What a sealed recording holds, read from its folder. */
export interface SealedRecording {
  readonly segments: number;
  readonly duration: number;
  readonly bytes: number;
  /** The end of its last segment (ms since the epoch); null when it has none. */
  readonly endedAt: number | null;
}

/**
 * Ends a recording its writer could not finish (the worker died, the process was killed, the
 * disk filled): the playlist on disk lists only complete segments (see RecordingWriter), so it
 * gets ENDLIST as VOD with exactly those, and every other file of the folder (a segment cut off
 * mid-write, a temp playlist) is deleted. Idempotent: a sealed recording is only measured.
 * A folder without a playlist holds nothing playable: it is emptied and reported with no segments.
 */
export async function sealRecording(dir: string): Promise<SealedRecording> {
  const text = await readFile(path.join(dir, PLAYLIST_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const parsed = text === null ? { segments: [], ended: false } : parseRecordingPlaylist(text);
  const sizes = new Map<string, number>();
  for (const name of await readdir(dir)) {
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info?.isFile()) sizes.set(name, info.size);
  }
  // Listed files are complete by construction; one missing (removed by hand) ends the list there.
  const segments: RecordedSegment[] = [];
  for (const segment of parsed.segments) {
    if (!sizes.has(segmentFile(segment.msn)) || !sizes.has(initFile(segment.init))) break;
    segments.push(segment);
  }
  const keep = new Set(segments.flatMap((segment) => [segmentFile(segment.msn), initFile(segment.init)]));
  if (segments.length > 0) keep.add(PLAYLIST_FILE);
  for (const name of sizes.keys()) if (!keep.has(name)) await unlink(path.join(dir, name)).catch(() => undefined);
  if (segments.length > 0 && (!parsed.ended || segments.length !== parsed.segments.length)) {
    const file = path.join(dir, PLAYLIST_FILE);
    await writeFile(`${file}.tmp`, renderRecordingPlaylist(segments, true), { flush: true });
    await rename(`${file}.tmp`, file);
  }
  const last = segments.at(-1);
  return {
    segments: segments.length,
    duration: segments.reduce((sum, segment) => sum + segment.duration, 0),
    bytes: [...keep].filter((name) => name !== PLAYLIST_FILE).reduce((sum, name) => sum + (sizes.get(name) ?? 0), 0),
    endedAt: last ? Math.round(last.programDateTime + last.duration * 1000) : null,
  };
}
