import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { initFile, parseRecordingPlaylist, PLAYLIST_FILE, segmentFile, type RecordedSegment } from './recordingPlaylist.js';

/** What a recording already holds, for a writer that goes on with it. */
export interface RecordingSoFar {
  readonly segments: readonly RecordedSegment[];
  /** Bytes of the init and media segments listed. */
  readonly bytes: number;
}

/**
 * Reads a recording a previous worker wrote (a broadcast suspended by a rolling restart goes on
 * in the next worker, in the same recording). Null when there is nothing usable to go on with
 * (no playlist, one that does not parse): the writer then starts a recording of its own.
 */
export async function readRecordingSoFar(dir: string): Promise<RecordingSoFar | null> {
  const text = await readFile(path.join(dir, PLAYLIST_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  let segments: RecordedSegment[];
  try {
    segments = parseRecordingPlaylist(text).segments;
  } catch {
    return null;
  }
  const files = new Set([...segments.map((segment) => segmentFile(segment.msn)), ...segments.map((segment) => initFile(segment.init))]);
  let bytes = 0;
  for (const file of files) bytes += (await stat(path.join(dir, file)).catch(() => null))?.size ?? 0;
  return { segments, bytes };
}
