import type { ServerResponse } from 'node:http';

/** A JSON answer for the plain node:http servers (room ports); a no-op once an answer has started (a stream's late error). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The pages live on the public port and poll the room port's /health for the stream state.
    'access-control-allow-origin': '*',
  });
  res.end(payload);
}
