import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errorBody } from '../http/errors.js';
import { sendJson } from '../http/sendJson.js';
import { parseHlsPath } from './hlsPath.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range',
  'access-control-max-age': '86400',
} as const;

/** Segment names are unique per stream (the stream id is in them), so a cache may keep them. */
const SEGMENT_CACHE = 'public, max-age=3600, immutable';
const PLAYLIST_CACHE = 'no-cache';

/**
 * Serves `/hls/<file>` from a room's HLS folder. Only names parseHlsPath accepts are opened,
 * with O_NOFOLLOW (a symlink is refused) and only regular files are sent. `onPlaylist` runs
 * before a playlist is answered (players poll it: that is how viewers are counted).
 */
export async function serveHls(dir: string, rest: string, req: IncomingMessage, res: ServerResponse, onPlaylist: () => void = () => undefined): Promise<void> {
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
  if (!file) {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file');
    return;
  }
  let handle: FileHandle;
  try {
    handle = await open(path.join(dir, file.name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    sendError(res, 404, 'NOT_FOUND', 'No such HLS file (the room may not be live)');
    return;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      sendError(res, 404, 'NOT_FOUND', 'No such HLS file');
      return;
    }
    const headers = {
      ...CORS,
      'content-type': file.contentType,
      'cache-control': file.kind === 'playlist' ? PLAYLIST_CACHE : SEGMENT_CACHE,
    };
    if (file.kind === 'playlist') {
      // Read whole (a few hundred bytes): the length is exact even if ffmpeg renames a new one in.
      const body = await handle.readFile();
      onPlaylist();
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': stat.size });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(handle.createReadStream({ start: 0, end: Math.max(0, stat.size - 1), autoClose: false }), res).catch(() => undefined);
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
