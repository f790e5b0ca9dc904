import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { openHlsFile, sendHlsFile } from './hlsFiles.js';
import { answeredMethod, sendHlsBytes, sendHlsError as sendError } from './hlsResponse.js';
import type { HlsCache } from './HlsCache.js';
import { parseHlsPath } from './hlsPath.js';

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
  if (answeredMethod(req, res, '/hls/')) return;
  const file = parseHlsPath(rest);
  if (!file || (file.kind !== 'playlist' && !source.isListed(file.name))) {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file');
    return;
  }
  const body = await load(source, file.name);
  if (!body) {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file (the room may not be live)');
    return;
  }
  if (file.kind === 'playlist') source.onPlaylist(req);
  const headers = { 'content-type': file.contentType, 'cache-control': file.kind === 'playlist' ? PLAYLIST_CACHE : SEGMENT_CACHE };
  if (body.kind === 'buffer') {
    sendHlsBytes(req, res, body.bytes, headers);
    return;
  }
  await sendHlsFile(req, res, body.handle, body.size, headers);
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
