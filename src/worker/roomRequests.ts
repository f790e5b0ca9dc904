import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';

/** What the room port's HTTP routes need to know about their room. */
export interface RoomInfo {
  readonly name: string;
  readonly port: number;
  readonly clients: number;
  readonly live: boolean;
  readonly viewerCount: number;
}


/**
 * HTTP routes of a room port. Plain node:http rather than fastify: this is the hot path
 * for viewers, and it serves a handful of fixed routes.
 */
export function handleRoomRequest(room: RoomInfo, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  const method = req.method ?? 'GET';
  if (path === '/' || path === '/health') {
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`));
      return;
    }
    if (path === '/') {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(room.name),
        'access-control-allow-origin': '*',
      });
      res.end(method === 'HEAD' ? undefined : room.name);
      return;
    }
    sendJson(res, 200, { data: { status: 'ok', room: room.name, port: room.port, clients: room.clients, live: room.live, viewers: room.viewerCount } });
    return;
  }
  sendJson(res, 404, errorBody('NOT_FOUND', `No route ${method} ${path} on room ${room.name}`));
}
