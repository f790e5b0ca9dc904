import type { IncomingMessage, ServerResponse } from 'node:http';
import { answeredMethod, HLS_CORS, sendHlsError } from '../hlsResponse.js';
import type { LiveThumbnail } from './LiveThumbnail.js';

/**
 * `GET /thumbnail.jpg` on a room port: the live stream's newest poster frame, CORS as on
 * `/hls/`, cached until the next frame is due, 304 for a client that has it already.
 */
export function serveThumbnail(thumbnail: LiveThumbnail, req: IncomingMessage, res: ServerResponse): void {
  if (answeredMethod(req, res, '/thumbnail.jpg')) return;
  const current = thumbnail.current;
  if (current === null) {
    sendHlsError(res, 404, 'THUMBNAIL_NOT_READY', 'The room is not live, or no poster frame was taken yet', { 'cache-control': 'no-store' });
    return;
  }
  const etag = `"t${current.takenAt.toString(36)}"`;
  const headers = {
    ...HLS_CORS,
    'cache-control': `public, max-age=${thumbnail.maxAgeSeconds}`,
    etag,
    'last-modified': new Date(current.takenAt).toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': current.jpeg.length });
  res.end(req.method === 'HEAD' ? undefined : current.jpeg);
}
