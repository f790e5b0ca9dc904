import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestSession } from '../hls/IngestSession.js';
import { StreamBusyError, StreamRefusedError } from '../hls/LiveStream.js';
import { ERRORS, errorBody, type ErrorCode } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import { checkOffer, MAX_OFFER_BYTES } from '../whip/whipOffer.js';
import { WhipPeer } from '../whip/WhipPeer.js';
import { authorizeProducer } from './ingestAuth.js';
import type { IngestRoom } from './ingestHttp.js';

/** The WHIP endpoint on the room port; a session's resource is `/whip/<id>`. */
export const WHIP_PATH = '/whip';

/** How the worker's WHIP sessions reach publishers (WHIP_UDP_PORTS, WHIP_ICE_HOST). */
export interface WhipSettings {
  readonly udpPorts: { readonly first: number; readonly last: number } | undefined;
  readonly iceHost: string;
}

/** ICE and DTLS get this long after the answer: a client that never connects frees the slot. */
const CONNECT_TIMEOUT_MS = 15_000;
/** Video stopped for this long: the publisher is gone (a browser or OBS sends frames all the time). */
const IDLE_TIMEOUT_MS = 5_000;

/**
 * CORS for browsers on another origin (the broadcast page is served by the public port): the
 * Bearer token travels in a header, not a cookie, so any origin may call with it.
 */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, if-match',
  'access-control-expose-headers': 'location, etag, link, accept-post',
  'access-control-max-age': '86400',
} as const;

/**
 * WHIP (RFC 9725) on a room's port. `POST /whip` with `Authorization: Bearer <producer token>`
 * and an SDP offer takes the room's one producer slot, like every ingest path, and answers 201
 * with the SDP answer (every candidate in it: no trickle ICE) and the session's `Location`;
 * `DELETE` on that location ends the stream. The publisher's media (WhipPeer) reaches the
 * room's IngestSession as Matroska, which the stream copies (H.264) and encodes (Opus to AAC).
 */
export class WhipIngest {
  readonly #room: IngestRoom;
  readonly #settings: WhipSettings;
  readonly #peers = new Map<string, WhipPeer>();
  /** Peers their publisher DELETEd: an end, not a drop. */
  readonly #deleted = new WeakSet<WhipPeer>();

  constructor(room: IngestRoom, settings: WhipSettings) {
    this.#room = room;
    this.#settings = settings;
  }

  /** Live WHIP sessions (at most one publishes; see the producer slot). */
  get size(): number {
    return this.#peers.size;
  }

  /** `/whip` and `/whip/<id>` requests. */
  async handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === WHIP_PATH) {
      if (method === 'OPTIONS') return preflight(res, 'POST, OPTIONS');
      if (method !== 'POST') return refuse(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${WHIP_PATH}: POST an SDP offer`, { allow: 'POST, OPTIONS' });
      return this.#publish(req, res);
    }
    const id = path.slice(WHIP_PATH.length + 1);
    const peer = this.#peers.get(id);
    if (method === 'OPTIONS') return preflight(res, 'DELETE, OPTIONS');
    if (!peer) return refuse(res, 404, 'NOT_FOUND', 'No such WHIP session (it ended, or it was never created here)');
    if (method === 'DELETE') {
      this.#deleted.add(peer);
      peer.close('the publisher ended the session (DELETE)');
      res.writeHead(200, { ...CORS, 'content-length': 0 });
      res.end();
      return;
    }
    // RFC 9725: a session without trickle ICE and ICE restarts answers PATCH with 405.
    const reason = method === 'PATCH' ? 'Trickle ICE and ICE restarts are not supported: put every candidate in the offer' : `${method} is not allowed on a WHIP session: DELETE it to stop`;
    refuse(res, 405, 'METHOD_NOT_ALLOWED', reason, { allow: 'DELETE, OPTIONS' });
  }

  /** Room close or shutdown: every peer connection goes. */
  close(reason: string): void {
    for (const peer of this.#peers.values()) peer.close(reason);
  }

  async #publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const room = this.#room;
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/sdp') {
      return refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `Send the SDP offer with Content-Type: application/sdp (not ${type || 'none'})`, { 'accept-post': 'application/sdp' });
    }
    const auth = await authorizeProducer(req, room);
    if (!auth.ok) return refuse(res, auth.status, auth.code, auth.message);
    const offer = await readOffer(req);
    if (offer === null) return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `An SDP offer may have ${MAX_OFFER_BYTES / 1024} KiB at most`);
    const checked = checkOffer(offer);
    if (!checked.ok) return refuse(res, ERRORS[checked.code].status, checked.code, checked.message);
    let session: IngestSession;
    try {
      session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'whip');
    } catch (error) {
      if (error instanceof StreamBusyError) return refuse(res, 409, 'STREAM_BUSY', error.message);
      if (error instanceof StreamRefusedError) return refuse(res, 403, 'STREAM_STOPPED_BY_MODERATOR', error.message);
      return refuse(res, 503, 'STREAM_STOPPED', ERRORS.STREAM_STOPPED.message);
    }
    const peer = new WhipPeer(
      {
        udpPorts: this.#settings.udpPorts,
        publicAddress: await publicAddress(this.#settings.iceHost),
        keyframeIntervalMs: room.stream.settings.segmentSeconds * 1000,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        logger: room.logger,
      },
      checked.audio,
      // Media cannot be paused at its source: IngestSession bounds what it holds and fails a
      // producer ffmpeg cannot keep up with (INGEST_TOO_FAST), which closes the peer (#attach).
      (chunk) => session.push(chunk),
    );
    let answer: string;
    try {
      answer = await peer.answer(offer);
    } catch (error) {
      peer.close('the offer could not be answered');
      session.end();
      return refuse(res, 400, 'SDP_INVALID', `The offer could not be answered: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (res.destroyed || session.done) {
      // The publisher went away (or the room closed) while the answer was being made.
      peer.close('the publisher went away before the answer');
      session.end();
      return;
    }
    const id = randomBytes(16).toString('hex');
    this.#attach(id, peer, session);
    room.logger.info({ producer: auth.claims.sub, video: checked.video.codecs, audio: checked.audio }, 'whip session answered');
    res.writeHead(201, {
      ...CORS,
      'content-type': 'application/sdp',
      'content-length': Buffer.byteLength(answer),
      location: `${WHIP_PATH}/${id}`,
      'cache-control': 'no-store',
    });
    res.end(answer);
  }

  #attach(id: string, peer: WhipPeer, session: IngestSession): void {
    this.#peers.set(id, peer);
    peer.once('connected', () => this.#room.logger.info({ producer: session.producer }, 'whip connected'));
    peer.on('keyframe', (streamMs) => session.keyframe(streamMs));
    peer.once('closed', (reason) => {
      this.#peers.delete(id);
      this.#room.logger.info({ producer: session.producer, reason }, 'whip session closed');
      // DELETE is the publisher's end; anything else (ICE failed, media stopped, a closed tab)
      // is a drop, which the room holds for the publisher's return (STREAM_RESUME_SECONDS).
      if (this.#deleted.has(peer)) session.end();
      else session.drop();
    });
    session.once('failed', (failure) => peer.close(failure.message));
    session.once('finished', () => peer.close('the stream finished'));
  }
}

/** The body, or null past MAX_OFFER_BYTES (declared or sent); the rest of a big body is read and dropped. */
function readOffer(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_OFFER_BYTES) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OFFER_BYTES) chunks.push(chunk);
      else {
        req.off('data', onData);
        req.resume();
        resolve(null);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > MAX_OFFER_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.once('close', () => resolve(null));
    req.once('error', () => resolve(null));
  });
}

/** WHIP_ICE_HOST as an IPv4 address (a name is looked up at each offer: it may move); null if it cannot be. */
async function publicAddress(host: string): Promise<string | null> {
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return null;
  }
}

function preflight(res: ServerResponse, methods: string): void {
  res.writeHead(204, { ...CORS, 'access-control-allow-methods': methods, 'accept-post': 'application/sdp', allow: methods });
  res.end();
}

function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries({ ...CORS, ...headers })) res.setHeader(name, value);
  sendJson(res, status, errorBody(code, message));
}
