import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { errorBody } from '../http/errors.js';
import { sendJson } from '../http/sendJson.js';
import type { HlsCache } from './HlsCache.js';
import { parseHlsPath } from './hlsPath.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range',
  'access-control-max-age': '86400',
} as const;

/**
 * Segment names are unique per stream (the stream id is in them) and only listed, complete
 * segments are served, so a cache may keep them.
 */
const SEGMENT_CACHE = 'public, max-age=3600, immutable';
const PLAYLIST_CACHE = 'no-cache';

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

/**
 * Serves `/hls/<file>` of a room. Only names parseHlsPath accepts are ever opened, with
 * O_NOFOLLOW (a symlink is refused), and only regular files. Files come from the worker's
 * memory cache when they can, so polling players cost no file-system call.
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
  const key = source.cacheKey(file.name);
  let body = source.cache.get(key);
  if (!body) {
    const epoch = source.cache.epoch;
    body = (await readHlsFile(path.join(source.dir, file.name))) ?? undefined;
    if (!body) {
      sendError(res, 404, 'NOT_FOUND', 'No such HLS file (the room may not be live)');
      return;
    }
    source.cache.set(key, body, epoch);
  }
  if (file.kind === 'playlist') source.onPlaylist(req);
  res.writeHead(200, {
    ...CORS,
    'content-type': file.contentType,
    'cache-control': file.kind === 'playlist' ? PLAYLIST_CACHE : SEGMENT_CACHE,
    'content-length': body.length,
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** The whole file, or null when it is missing, a symlink or not a regular file. */
async function readHlsFile(file: string): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    // Read whole: the length is exact even if ffmpeg renames a new version in meanwhile.
    return (await handle.stat()).isFile() ? await handle.readFile() : null;
  } catch {
    return null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries({ ...CORS, ...extra })) res.setHeader(name, value);
  sendJson(res, status, errorBody(code, message));
}
