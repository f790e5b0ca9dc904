import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import { parseRange } from './byteRange.js';

/** Every HLS answer may be read by a player on any site. */
export const HLS_CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range',
  'access-control-expose-headers': 'Content-Length, Content-Range',
  'access-control-max-age': '86400',
} as const;

/** Answers OPTIONS and refuses other methods than GET/HEAD; true when the request was answered. */
export function answeredMethod(req: IncomingMessage, res: ServerResponse, where: string): boolean {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, HLS_CORS);
    res.end();
    return true;
  }
  if (method === 'GET' || method === 'HEAD') return false;
  sendHlsError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${where}`, { allow: 'GET, HEAD, OPTIONS' });
  return true;
}

/**
 * Answers the status and headers of a file of `size` bytes, honouring a single `Range` (206;
 * 416 is answered here). Returns the byte span to send (inclusive), or null when answered.
 */
export function writeHlsHead(req: IncomingMessage, res: ServerResponse, size: number, headers: Record<string, string>): { start: number; end: number } | null {
  const range = parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    sendHlsError(res, 416, 'RANGE_NOT_SATISFIABLE', `The file has ${size} bytes`, { 'content-range': `bytes */${size}` });
    return null;
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, size - 1];
  res.writeHead(range.kind === 'range' ? 206 : 200, {
    ...HLS_CORS,
    ...headers,
    'accept-ranges': 'bytes',
    'content-length': Math.max(0, end - start + 1),
    ...(range.kind === 'range' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  return { start, end };
}

/** Sends bytes held in memory, honouring a single `Range` (206) and HEAD. */
export function sendHlsBytes(req: IncomingMessage, res: ServerResponse, bytes: Buffer, headers: Record<string, string>): void {
  const span = writeHlsHead(req, res, bytes.length, headers);
  if (span) res.end(req.method === 'HEAD' ? undefined : bytes.subarray(span.start, span.end + 1));
}

export function sendHlsError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries({ ...HLS_CORS, ...extra })) res.setHeader(name, value);
  sendJson(res, status, errorBody(code, message));
}
