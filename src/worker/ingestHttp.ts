import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, errorBody } from '../kit/errors.js';
import { TokenBucket } from '../kit/TokenBucket.js';
import type { IngestSession } from '../hls/IngestSession.js';
import type { LiveStream } from '../hls/LiveStream.js';
import type { Logger } from '../kit/createLogger.js';
import { authorizeProducer, type ProducerGate } from './ingestAuth.js';
import { claimRefusal } from './claimRefusal.js';
import { sendJson } from '../kit/sendJson.js';
import { RateFloor } from './RateFloor.js';
import type { RequestDeadline } from './RequestDeadline.js';

/**
 * Body pieces (Node's 'data' events) allowed per WebSocket frame of INGEST_MAX_FRAMES_PER_SECOND:
 * ffmpeg pushes 32 KiB chunks (under 100 a second at the bitrate cap), and one chunk may arrive
 * as several pieces, so only a body of tiny chunks comes near this.
 */
const BODY_PIECES_PER_FRAME = 10;

/** What the ingest routes need of their room. */
export interface IngestRoom extends ProducerGate {
  readonly stream: LiveStream;
  readonly logger: Logger;
  /** A request's client address (TRUST_PROXY applied), for the auth hook. */
  addressOf(req: IncomingMessage): string;
}

/** After an error answer, how long a producer that keeps sending may take to read it. */
const LINGER_MS = 1_000;

/**
 * `/ingest` over plain HTTP. GET checks a token and whether the room is free (the broadcast
 * page asks before it opens its camera). POST or PUT streams media in the body, chunked or not:
 * the answer comes when the stream ends: 200 with a summary, or the error that stopped it.
 * Once streaming, the body is exempt from the room port's request `deadline` as long as it keeps
 * above the minimum rate (INGEST_MIN_KBPS); below it, the stream ends and the answer is 408.
 */
export async function handleIngestRequest(room: IngestRoom, req: IncomingMessage, res: ServerResponse, deadline: RequestDeadline): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT') {
    res.setHeader('allow', 'GET, POST, PUT');
    sendJson(res, 405, errorBody('METHOD_NOT_ALLOWED', `${method} is not allowed on /ingest`));
    return;
  }
  const auth = await authorizeProducer(req, room, { ip: room.addressOf(req), protocol: 'http' });
  if (!auth.ok) {
    refuse(req, res, auth.status, auth.code, auth.message);
    return;
  }
  if (method === 'GET') {
    // Another producer's stream: 409. This producer's own: the status, with `ready` false while it
    // is live (a second connection would be refused) and true once it is finishing.
    const producer = room.stream.producer;
    if (producer !== null && producer !== auth.claims.sub) refuse(req, res, 409, 'STREAM_BUSY', ERRORS.STREAM_BUSY.message);
    else {
      const ready = room.stream.canClaim(auth.claims.sub);
      sendJson(res, 200, { data: { room: room.name, ready, stream: room.stream.status, settings: room.stream.settings, lagMs: room.stream.lastLagMs, ingest: room.stream.ingest() } });
    }
    return;
  }
  let session: IngestSession;
  try {
    session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'http', auth.expiresAt);
  } catch (error) {
    const refusal = claimRefusal(error);
    refuse(req, res, refusal.status, refusal.code, refusal.message);
    return;
  }
  if (req.destroyed) {
    // The producer went away while the slot was being freed for it.
    session.abandon();
    return;
  }
  deadline.release();
  pipeBody(req, session, (bytesPerSecond) => {
    const { minBytesPerSecond, rateWindowMs } = session.limits;
    const kbps = Math.round((bytesPerSecond * 8) / 100) / 10;
    const minKbps = (minBytesPerSecond * 8) / 1000;
    room.logger.warn({ producer: session.producer, kbps, minKbps, windowMs: rateWindowMs }, 'ingest too slow: cut');
    refuse(req, res, 408, 'REQUEST_TIMEOUT', `The stream arrived at ${kbps} kbps over ${rateWindowMs / 1000} s, below this server's minimum of ${minKbps} kbps`);
    session.end();
  });
  session.once('finished', (summary) => sendJson(res, 200, { data: { room: room.name, ...summary } }));
  session.once('failed', (failure) => refuse(req, res, ERRORS[failure.code].status, failure.code, failure.message));
}

/** Producer bytes into the session, pausing the socket while ffmpeg catches up; a body below the rate floor is reported. */
function pipeBody(req: IncomingMessage, session: IngestSession, tooSlow: (bytesPerSecond: number) => void): void {
  const floor = new RateFloor(session.limits.minBytesPerSecond);
  const windows = setInterval(() => {
    const slow = floor.endWindow(req.isPaused());
    if (slow === null) return;
    stopWatching();
    tooSlow(slow);
  }, session.limits.rateWindowMs);
  const stopWatching = () => clearInterval(windows);
  req.once('end', stopWatching);
  req.once('close', stopWatching);
  session.once('finished', stopWatching);
  session.once('failed', stopWatching);
  // Node parses each HTTP chunk on its own: a body of tiny chunks costs a worker per chunk, so
  // pieces are capped like WebSocket frames, with room for a parser that splits big chunks.
  const { maxFramesPerSecond, burstSeconds } = session.limits;
  const perSecond = maxFramesPerSecond * BODY_PIECES_PER_FRAME;
  const pieces = new TokenBucket(perSecond, perSecond * burstSeconds);
  req.on('data', (chunk: Buffer) => {
    if (!pieces.take()) {
      session.fail({ code: 'INGEST_TOO_FAST', message: `The producer sends its body in more than ${perSecond} pieces per second; send bigger chunks` });
      return;
    }
    floor.add(chunk.length);
    if (session.push(chunk)) return;
    req.pause();
    floor.holdUp();
  });
  session.on('drain', () => req.resume());
  // The body ended: the producer is done. A connection lost mid-body is a drop: the stream ends
  // cleanly, and is held for a while in case the producer comes back (LiveStream).
  req.once('end', () => session.end());
  req.once('close', () => session.drop());
  req.on('error', () => session.drop());
}

/** Answers an error, then stops reading: a producer still sending gets a moment to read it. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.setHeader('connection', 'close');
  sendJson(res, status, errorBody(code, message));
  if (!req.complete) setTimeout(() => req.destroy(), LINGER_MS).unref();
}
