import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestFailure, IngestSession } from '../hls/IngestSession.js';
import { ERRORS, errorBody, type ErrorCode } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import { checkOffer, MAX_OFFER_BYTES } from '../whip/whipOffer.js';
import { WhipPeer, type MatroskaSink, type WhipPeerOptions } from '../whip/WhipPeer.js';
import { claimRefusal } from './claimRefusal.js';
import { authorizeProducer } from './ingestAuth.js';
import type { IngestRoom } from './ingestHttp.js';

/** The WHIP endpoint on the room port; a session's resource is `/whip/<id>`. */
export const WHIP_PATH = '/whip';

/** How the worker's WHIP sessions reach publishers (WHIP_UDP_PORTS, WHIP_ICE_HOST). */
export interface WhipSettings {
  readonly udpPorts: { readonly first: number; readonly last: number } | undefined;
  readonly iceHost: string;
}

/** Makes a publisher's peer (WhipPeer; tests hand in one they can steer). */
export type WhipPeerFactory = (options: WhipPeerOptions, hasAudio: boolean, sink: MatroskaSink) => WhipPeer;

const createWhipPeer: WhipPeerFactory = (options, hasAudio, sink) => new WhipPeer(options, hasAudio, sink);

/** A full WHIP_UDP_PORTS frees up as publishers leave: try again after this (seconds). */
const PORTS_RETRY_AFTER_S = 10;
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
  readonly #createPeer: WhipPeerFactory;
  readonly #peers = new Map<string, WhipPeer>();
  /** Peers their publisher DELETEd: an end, not a drop. */
  readonly #deleted = new WeakSet<WhipPeer>();

  constructor(room: IngestRoom, settings: WhipSettings, createPeer: WhipPeerFactory = createWhipPeer) {
    this.#room = room;
    this.#settings = settings;
    this.#createPeer = createPeer;
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
    const auth = await authorizeProducer(req, room, { ip: room.addressOf(req), protocol: 'whip' });
    if (!auth.ok) return refuse(res, auth.status, auth.code, auth.message);
    const offer = await readOffer(req);
    if (offer === null) return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `An SDP offer may have ${MAX_OFFER_BYTES / 1024} KiB at most`);
    const checked = checkOffer(offer);
    if (!checked.ok) return refuse(res, ERRORS[checked.code].status, checked.code, checked.message);
    // Looked up before the claim: the room's slot is not held across a DNS answer.
    const address = await publicAddress(this.#settings.iceHost);
    let session: IngestSession;
    try {
      session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'whip', auth.expiresAt);
    } catch (error) {
      const refusal = claimRefusal(error);
      return refuse(res, refusal.status, refusal.code, refusal.message);
    }
    // A stop, a revocation or the room closing while the answer is made: the publisher is told so.
    const stopped: { failure: IngestFailure | null } = { failure: null };
    session.once('failed', (failure) => (stopped.failure = failure));
    // Every way out before #attach releases the slot without starting anything (abandon): the
    // session holds the WebM header the peer wrote, which is the server's own, not the publisher's media.
    let peer: WhipPeer;
    try {
      peer = this.#createPeer(
        {
          udpPorts: this.#settings.udpPorts,
          publicAddress: address,
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
    } catch (error) {
      session.abandon();
      room.logger.error({ err: error }, 'whip peer not created');
      return refuse(res, 500, 'INTERNAL', 'The server could not open a WebRTC session; its log says why');
    }
    const closed: { reason: string | null } = { reason: null };
    peer.once('closed', (reason) => (closed.reason = reason));
    let answer: string;
    try {
      answer = await peer.answer(offer);
    } catch (error) {
      peer.close('the offer could not be answered');
      session.abandon();
      return refuse(res, 400, 'SDP_INVALID', `The offer could not be answered: ${error instanceof Error ? error.message : String(error)}`);
    }
    const failure = stopped.failure;
    if (failure !== null) {
      peer.close(failure.message);
      return refuse(res, ERRORS[failure.code].status, failure.code, failure.message);
    }
    if (res.destroyed || peer.closed) {
      // The publisher went away while the answer was being made, or the peer ended (a track it could not record).
      peer.close('the publisher went away before the answer');
      session.abandon();
      return refuse(res, 500, 'INTERNAL', `The WebRTC session ended before it was answered: ${closed.reason ?? 'unknown reason'}`);
    }
    if (!/^a=candidate:/m.test(answer)) {
      // werift leaves out the candidates it could not bind a port for: every WHIP_UDP_PORTS port is taken.
      peer.close('no UDP port was free for ICE');
      session.abandon();
      room.logger.warn({ udpPorts: this.#settings.udpPorts }, 'whip refused: no UDP port free for ICE');
      return refuse(res, 503, 'NO_PORTS_AVAILABLE', 'Every UDP port this server has for WebRTC (WHIP_UDP_PORTS) is taken: try again later', {
        'retry-after': String(PORTS_RETRY_AFTER_S),
      });
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
      // Before any media (the session holds only the WebM header, ours) nothing starts. After it,
      // DELETE is the publisher's end; anything else (ICE failed, media stopped, a closed tab)
      // is a drop, which the room holds for the publisher's return (STREAM_RESUME_SECONDS).
      if (session.media === null) session.abandon();
      else if (this.#deleted.has(peer)) session.end();
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
