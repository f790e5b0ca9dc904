import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errorBody } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import { parseRange } from './byteRange.js';
import type { HlsCache } from './HlsCache.js';
import { parseHlsPath } from './hlsPath.js';

export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range',
  'access-control-expose-headers': 'Content-Length, Content-Range',
  'access-control-max-age': '86400',
} as const;

/**
 * Segment names are unique per stream (the stream id is in them) and only listed, complete
 * segments are served, so a cache may keep them.
 */
const SEGMENT_CACHE = 'public, max-age=3600, immutable';
const PLAYLIST_CACHE = 'no-cache';
/** Read size when streaming a big file: fewer, larger socket writes than the 64 KiB default, still bounded per request. */
const STREAM_CHUNK_BYTES = 256 * 1024;

/** Where a room's HLS files are, and the worker's cache of them. */
export interface HlsSource {
  readonly dir: string;
  readonly cache: HlsCache;
  /** The cache key of one of this room's files. */
  cacheKey(name: string): string;
  /** Whether a playlist listed this segment: only then is it complete (see ListedSegments). */
  isListed(name: string): boolean;
  /** Runs before a playlist is answered (players poll it: that is how viewers are counted). */
  onPlaylist(req: IncomingMessage): void;
}

/** A file's bytes: in memory (small, cached) or an open file streamed from disk. */
type Body = { readonly kind: 'buffer'; readonly bytes: Buffer } | { readonly kind: 'file'; readonly handle: FileHandle; readonly size: number };

/**
 * Serves `/hls/<file>` of a room. Only names parseHlsPath accepts are ever opened, with
 * O_NOFOLLOW (a symlink is refused), only regular files, and only segments a playlist listed.
 * Small files come from the worker's memory cache, so polling players cost no file-system
 * call; a file over the cache's entry bound is never read whole but streamed from disk with
 * backpressure. A single `Range` is honoured (206).
 */
export async function serveHls(source: HlsSource, rest: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, CORS);
    res.end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /hls/`, { allow: 'GET, HEAD, OPTIONS' });
    return;
  }
  const file = parseHlsPath(rest);
  if (!file || (file.kind === 'segment' && !source.isListed(file.name))) {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file');
    return;
  }
  const body = await load(source, file.name);
  if (!body) {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file (the room may not be live)');
    return;
  }
  if (file.kind === 'playlist') source.onPlaylist(req);
  const size = body.kind === 'buffer' ? body.bytes.length : body.size;
  const range = parseRange(req.headers.range, size);
  const headers = { ...CORS, 'content-type': file.contentType, 'cache-control': file.kind === 'playlist' ? PLAYLIST_CACHE : SEGMENT_CACHE, 'accept-ranges': 'bytes' };
  if (range.kind === 'unsatisfiable') {
    if (body.kind === 'file') await body.handle.close().catch(() => undefined);
    sendError(res, 416, 'RANGE_NOT_SATISFIABLE', `The file has ${size} bytes`, { 'content-range': `bytes */${size}` });
    return;
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, size - 1];
  res.writeHead(range.kind === 'range' ? 206 : 200, {
    ...headers,
    'content-length': Math.max(0, end - start + 1),
    ...(range.kind === 'range' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (body.kind === 'buffer') {
    res.end(method === 'HEAD' ? undefined : body.bytes.subarray(start, end + 1));
    return;
  }
  if (method === 'HEAD' || size === 0) {
    await body.handle.close().catch(() => undefined);
    res.end();
    return;
  }
  // pipeline waits for the socket to take each chunk and closes the file however it ends.
  await pipeline(body.handle.createReadStream({ start, end, highWaterMark: STREAM_CHUNK_BYTES }), res).catch(() => res.destroy());
}

/** The file from the cache, read into it when small, or opened for streaming; null when absent. */
async function load(source: HlsSource, name: string): Promise<Body | null> {
  const key = source.cacheKey(name);
  const cached = source.cache.get(key);
  if (cached) return { kind: 'buffer', bytes: cached };
  const epoch = source.cache.epoch;
  const opened = await openHlsFile(path.join(source.dir, name));
  if (!opened) return null;
  if (opened.size > source.cache.maxEntryBytes) return { kind: 'file', ...opened };
  try {
    // Read whole: the length is exact even if ffmpeg renames a new version in meanwhile.
    const bytes = await opened.handle.readFile();
    source.cache.set(key, bytes, epoch);
    return { kind: 'buffer', bytes };
  } catch {
    return null;
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

/** An open regular file and its size, or null when it is missing, a symlink or not a regular file. */
export async function openHlsFile(file: string): Promise<{ handle: FileHandle; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, size: stat.size };
  } catch {
    // closed below
  }
  await handle.close().catch(() => undefined);
  return null;
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries({ ...CORS, ...extra })) res.setHeader(name, value);
  sendJson(res, status, errorBody(code, message));
}
