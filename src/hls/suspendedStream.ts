import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mediaPlaylists } from './ffmpegArgs.js';
import { listedSegmentUris } from './playlistFiles.js';
import { clearFolderKeepingMsn } from './ll/carriedMsn.js';
import { parseSuspendedNote, type SuspendedStream } from './suspendedStreamNote.js';

/**
 * A live stream suspended by a rolling restart: the old worker closes the room without ending
 * the stream (no ENDLIST, no `ended`, no `stream.ended`) and leaves this note in the room's HLS
 * folder (a name the HLS routes never serve); the new worker opening the room takes it and holds
 * the stream for its producer for the resume wait, as for a producer that dropped. A note older
 * than MAX_AGE_MS belongs to no restart under way (a worker that never took it): its stream is ended when the room opens.
 */
export type { CarriedRecording, SuspendedStream } from './suspendedStreamNote.js';

/** A suspended stream as the new worker takes it over: classic HLS, with the segments its playlists list (served on). */
export interface ResumableStream extends SuspendedStream {
  readonly segments: readonly string[];
  /** Too old to hold for its producer: the stream is ended as the room opens. */
  readonly expired: boolean;
}

const FILE = 'suspended-stream';
export const MAX_AGE_MS = 60_000;

/** False when the note could not be written (the caller then ends the stream itself). */
export async function saveSuspended(dir: string, stream: SuspendedStream): Promise<boolean> {
  try {
    // A Low-Latency room's folder may be gone (emptied as the room opened, a failed open putting the note back).
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, FILE), JSON.stringify(stream));
    return true;
  } catch {
    return false;
  }
}

/**
 * The note the previous worker left, removed as it is read; null when none, unreadable or
 * malformed (suspendedStreamNote.ts: nothing in it can be trusted). A note older than MAX_AGE_MS
 * comes back `expired`: no restart is under way for it any more, so the stream it names is
 * over, and the worker ends it (its `stream.ended`, its recording) instead of holding it.
 */
export async function takeSuspended(dir: string, now = Date.now()): Promise<(SuspendedStream & { readonly expired: boolean }) | null> {
  const file = path.join(dir, FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  await rm(file, { force: true });
  try {
    const note = parseSuspendedNote(JSON.parse(text), dir);
    if (note === null || note.savedAt > now + 1_000) return null;
    return { ...note, expired: now - note.savedAt > MAX_AGE_MS };
  } catch {
    return null;
  }
}

/**
 * Readies a room's HLS folder as a worker opens the room: takes the note of a stream the previous
 * worker suspended, then empties the folder (files of a worker that died mid-stream belong to no
 * stream; the media sequence number stays), except the playlists of a suspended classic stream,
 * which its producer's return appends to.
 */
export async function openRoomFolder(dir: string): Promise<ResumableStream | null> {
  const suspended = await takeSuspended(dir);
  if (suspended?.plan.mode === 'classic') return { ...suspended, segments: await listedSegmentUris(dir, mediaPlaylists(suspended.plan)) };
  await clearFolderKeepingMsn(dir);
  return suspended === null ? null : { ...suspended, segments: [] };
}
