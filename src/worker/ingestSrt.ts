import type { IngestFailure, IngestSession } from '../hls/IngestSession.js';
import type { SrtSupport } from '../hls/ffmpegProtocols.js';
import type { FfmpegBinary } from '../hls/resolveFfmpeg.js';
import { SrtReceiver } from '../hls/SrtReceiver.js';
import { normalizeAddress } from '../net/addresses.js';
import type { SrtCaller, SrtDecision } from '../srt/SrtListener.js';
import { SRT_REJECT, type SrtRejectReason } from '../srt/rejections.js';
import { parseStreamId } from '../srt/streamId.js';
import { authorizeProducerToken } from './ingestAuth.js';
import { claimRefusal, type ClaimRefusal } from './claimRefusal.js';
import type { IngestRoom } from './ingestHttp.js';

/** What an SRT publisher needs of the worker's media services. */
export interface SrtMedia {
  srtSupport(): Promise<SrtSupport>;
  ffmpeg(): Promise<FfmpegBinary>;
}

/**
 * Decides on an SRT caller of a room (see SrtListener): this ffmpeg must have SRT, the stream
 * ID must carry a producer token for the room (streamId.ts says the forms), and the room's one
 * producer slot must be free, as for RTMP and HTTP. An accepted caller gets a receiver (a local
 * ffmpeg) whose MPEG-TS goes into the claimed IngestSession with its backpressure; the session
 * and the receiver end together.
 */
export async function authorizeSrtCaller(room: IngestRoom, media: SrtMedia, caller: SrtCaller): Promise<SrtDecision> {
  const support = await media.srtSupport();
  if (!support.available) return refuse(SRT_REJECT.UNIMPLEMENTED, `This server cannot receive SRT: ${support.reason}`);
  const parsed = parseStreamId(caller.streamId);
  if (!parsed.ok) return parsed;
  const { token, resource } = parsed.request;
  if (resource !== null && resource !== room.name) return refuse(SRT_REJECT.NOT_FOUND, `The stream ID names room "${resource}", this port is room "${room.name}"`);
  // The listener's udp6 socket reports IPv4 callers as ::ffff:a.b.c.d; the hook gets the form every other protocol sends.
  const auth = await authorizeProducerToken(token, room, { ip: normalizeAddress(caller.address) ?? caller.address, protocol: 'srt' });
  if (!auth.ok) return refuse(AUTH_REJECT[auth.status] ?? SRT_REJECT.UNAUTHORIZED, `${auth.code}: ${auth.message}`);
  let session: IngestSession;
  try {
    session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'srt', auth.expiresAt);
  } catch (error) {
    const refusal = claimRefusal(error);
    return refuse(CLAIM_REJECT[refusal.code], `${refusal.code}: ${refusal.message}`);
  }
  // A stop, a revocation or the room closing while the receiver starts: the caller is refused with it.
  const stopped: { failure: IngestFailure | null } = { failure: null };
  session.once('failed', (failure) => (stopped.failure = failure));
  let receiver: SrtReceiver;
  try {
    receiver = await SrtReceiver.start((await media.ffmpeg()).path, room.logger);
  } catch (error) {
    session.abandon();
    room.logger.error({ err: error }, 'srt receiver not started');
    return refuse(SRT_REJECT.INTERNAL, 'The server could not start its SRT receiver');
  }
  if (stopped.failure !== null) {
    receiver.close();
    return refuseFailure(stopped.failure);
  }
  feed(receiver, session);
  return { ok: true, backend: receiver };
}

/** The receiver's bytes into the session, paused while the session's ffmpeg is full. */
function feed(receiver: SrtReceiver, session: IngestSession): void {
  const output = receiver.output;
  output.on('data', (chunk: Buffer) => {
    if (!session.push(chunk)) output.pause();
  });
  output.on('error', () => receiver.close());
  session.on('drain', () => output.resume());
  // The caller left (ffmpeg ended): with an SRT shutdown it ended its stream; without one it was
  // lost (killed, its network gone), a drop the room holds for its return. The stream failed or
  // was stopped: the caller is cut.
  void receiver.ended.then(() => (receiver.callerEnded ? session.end() : session.drop()));
  session.once('failed', () => receiver.close());
  session.once('finished', () => receiver.close());
}

/** A refused producer check, by its HTTP status: the token's role or the site's hook (403), the hook unreachable (503). */
const AUTH_REJECT: Partial<Record<number, SrtRejectReason>> = { 403: SRT_REJECT.FORBIDDEN, 503: SRT_REJECT.DOWN };

/** A refused claim, as an SRT rejection reason (SRT has no statuses of its own for these). */
const CLAIM_REJECT: Record<ClaimRefusal['code'], SrtRejectReason> = {
  STREAM_BUSY: SRT_REJECT.CONFLICT,
  STREAM_STOPPED_BY_MODERATOR: SRT_REJECT.FORBIDDEN,
  STREAM_STOPPED: SRT_REJECT.DOWN,
};

/** A session failed before its caller was relayed, as the caller's rejection. */
function refuseFailure(failure: IngestFailure): SrtDecision {
  const reason =
    failure.code === 'STREAM_STOPPED_BY_MODERATOR' ? SRT_REJECT.FORBIDDEN : failure.code === 'TOKEN_INVALID' ? SRT_REJECT.UNAUTHORIZED : failure.code === 'STREAM_STOPPED' ? SRT_REJECT.DOWN : SRT_REJECT.INTERNAL;
  return refuse(reason, `${failure.code}: ${failure.message}`);
}

function refuse(reason: SrtRejectReason, message: string): SrtDecision {
  return { ok: false, reason, message };
}
