import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { openHlsFile, sendHlsFile } from '../hlsFiles.js';
import { answeredMethod, sendHlsError } from '../hlsResponse.js';
import { RECORDING_ID } from './recordingIds.js';

/** `<id>/index.m3u8`, `<id>/init-<n>.mp4`, `<id>/seg-<n>.m4s`: nothing else is ever opened. */
const RECORDING_PATH = new RegExp(`^(${RECORDING_ID.source.slice(1, -1)})/(index\\.m3u8|init-[1-9]\\d{0,5}\\.mp4|seg-(?:0|[1-9]\\d{0,8})\\.m4s)$`);

/** Segments never change once written (a name is written once per recording). */
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
/** A finished recording's playlist does not change either, but it may be deleted. */
const VOD_PLAYLIST_CACHE = 'public, max-age=86400';
/** A recording in progress grows a segment every second or two. */
const EVENT_PLAYLIST_CACHE = 'public, max-age=1';
const ENDLIST = '#EXT-X-ENDLIST\n';

/**
 * Serves `/recordings/<id>/<file>` of a room from its recordings folder: strict names (no
 * traversal), O_NOFOLLOW, regular files only, streamed from disk whatever their size (never read
 * whole), one `Range` honoured, CORS as on /hls/. Every file found is complete: the writer gives
 * a file its name only once it is written whole (see RecordingWriter).
 */
export async function serveRecording(dir: string, rest: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (answeredMethod(req, res, '/recordings/')) return;
  const match = RECORDING_PATH.exec(rest);
  const opened = match ? await openHlsFile(path.join(dir, match[1]!, match[2]!)) : null;
  if (!match || !opened) {
    sendHlsError(res, 404, 'RECORDING_NOT_FOUND', 'No such recording file');
    return;
  }
  const { handle, size } = opened;
  const name = match[2]!;
  const playlist = name === 'index.m3u8';
  const cache = playlist ? ((await endsWith(handle, size, ENDLIST).catch(() => false)) ? VOD_PLAYLIST_CACHE : EVENT_PLAYLIST_CACHE) : SEGMENT_CACHE;
  const contentType = playlist ? 'application/vnd.apple.mpegurl' : name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment';
  await sendHlsFile(req, res, handle, size, { 'content-type': contentType, 'cache-control': cache });
}

/** Whether the file ends with `tail` (a sealed playlist ends with ENDLIST): one small read. */
async function endsWith(handle: FileHandle, size: number, tail: string): Promise<boolean> {
  if (size < tail.length) return false;
  const bytes = Buffer.alloc(tail.length);
  await handle.read(bytes, 0, tail.length, size - tail.length);
  return bytes.toString('latin1') === tail;
}
