import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, type CloseName } from '../contracts/closeCodes.js';
import { TokenBucket } from '../kit/TokenBucket.js';
import { errorBody, type ErrorCode } from '../kit/errors.js';
import type { IngestFailure, IngestSession } from '../hls/IngestSession.js';
import { authorizeProducer } from './ingestAuth.js';
import { claimRefusal } from './claimRefusal.js';
import type { IngestRoom } from './ingestHttp.js';

/** A MediaRecorder chunk of a few hundred ms is far below this even at high bitrates. */
const MAX_INGEST_FRAME_BYTES = 8 * 1024 * 1024;
/** A producer that sends nothing this long has gone (its network dropped without a close). */
const IDLE_MS = 15_000;
/** After an error close, how long a producer may take to answer it before its socket is cut. */
const CLOSE_LINGER_MS = 1_000;

const FAILURE_CLOSE: Record<IngestFailure['code'], CloseName> = {
  MEDIA_UNSUPPORTED: 'MEDIA_UNSUPPORTED',
  MEDIA_INVALID: 'MEDIA_INVALID',
  FFMPEG_UNAVAILABLE: 'INTERNAL',
  STREAM_STOPPED: 'ROOM_CLOSED',
  INGEST_TOO_FAST: 'FLOODING',
  ENCODER_BUSY: 'TRY_AGAIN_LATER',
  KEYFRAMES_TOO_SPARSE: 'MEDIA_INVALID',
  TOKEN_INVALID: 'AUTH_FAILED',
  STREAM_STOPPED_BY_MODERATOR: 'STREAM_STOPPED',
  SESSION_EXPIRED: 'SESSION_ENDED',
};

/**
 * `/ingest` as a WebSocket: binary frames carry the producer's media (a browser's MediaRecorder
 * WebM). The token and the free slot are checked before the handshake, so a refused producer
 * gets a plain HTTP status (401, 403, 409). Text frames from the server tell the producer's
 * page how the stream goes: `{"type":"ingest","state":"starting"|"live"|"ended"}` and `error`.
 */
export class IngestSockets {
  /** One WebSocket server (no listener of its own) for every room of the worker. */
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_INGEST_FRAME_BYTES, clientTracking: false });

  async upgrade(room: IngestRoom, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const auth = await authorizeProducer(req, room, { ip: room.addressOf(req), protocol: 'websocket' });
    if (socket.destroyed) return;
    if (!auth.ok) {
      rejectUpgrade(socket, auth.status, auth.code, auth.message);
      return;
    }
    let session: IngestSession;
    try {
      session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'websocket', auth.expiresAt);
    } catch (error) {
      const refusal = claimRefusal(error);
      rejectUpgrade(socket, refusal.status, refusal.code, refusal.message);
      return;
    }
    // The client may have gone while the slot was being freed for it.
    if (socket.destroyed) {
      session.abandon();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => attach(ws, session));
  }
}

function attach(ws: WebSocket, session: IngestSession): void {
  const { maxFramesPerSecond, burstSeconds } = session.limits;
  // Each frame costs a worker the same whatever its size: tiny frames must not be free.
  const frames = new TokenBucket(maxFramesPerSecond, maxFramesPerSecond * burstSeconds);
  let lastDataAt = Date.now();
  const idle = setInterval(() => {
    if (Date.now() - lastDataAt > IDLE_MS) ws.terminate();
  }, IDLE_MS / 3);
  idle.unref();
  send(ws, { type: 'ingest', state: 'starting' });
  ws.on('message', (data, isBinary) => {
    lastDataAt = Date.now();
    if (session.done) return;
    if (!frames.take()) {
      session.fail({ code: 'INGEST_TOO_FAST', message: `The producer sends more than ${maxFramesPerSecond} frames per second; send bigger chunks` });
      return;
    }
    if (!isBinary) {
      ws.close(CLOSE.UNSUPPORTED_DATA.code, CLOSE.UNSUPPORTED_DATA.reason);
      return;
    }
    if (!session.push(toBuffer(data))) ws.pause();
  });
  session.on('drain', () => ws.resume());
  session.once('live', () => send(ws, { type: 'ingest', state: 'live', warnings: session.meter.warnings() }));
  session.on('warnings', (warnings) => send(ws, { type: 'ingest', state: 'live', warnings }));
  session.once('finished', (summary) => {
    send(ws, { type: 'ingest', state: 'ended', ...summary });
    ws.close(CLOSE.STREAM_ENDED.code, CLOSE.STREAM_ENDED.reason);
  });
  session.once('failed', (failure) => {
    send(ws, { type: 'error', code: failure.code, message: failure.message });
    const close = CLOSE[failure.goingAway ? 'GOING_AWAY' : FAILURE_CLOSE[failure.code]];
    ws.close(close.code, close.reason);
    // A producer that keeps sending instead of closing is not read for long.
    setTimeout(() => ws.terminate(), CLOSE_LINGER_MS).unref();
  });
  ws.on('error', () => ws.terminate());
  // 1000 is the producer's own end (the broadcast page's Stop); any other close is a drop the room may wait out.
  ws.on('close', (code) => {
    clearInterval(idle);
    if (code === CLOSE.STREAM_ENDED.code) session.end();
    else session.drop();
  });
}

function send(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 409: 'Conflict', 503: 'Service Unavailable' };

function rejectUpgrade(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
