import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IngestSession } from '../hls/IngestSession.js';
import { FlvStream, type FlvTag } from '../rtmp/flv.js';
import { RTMP_APP } from '../rtmp/PublishCommands.js';
import { RtmpSession } from '../rtmp/RtmpSession.js';
import { authorizeProducerToken } from './ingestAuth.js';
import { claimRefusal } from './claimRefusal.js';
import type { IngestRoom } from './ingestHttp.js';
import { RateFloor } from './RateFloor.js';
import { normalizeAddress } from '../net/addresses.js';

/** A connection that has not published this long after its handshake began is cut (it holds a socket for nothing). */
const PUBLISH_TIMEOUT_MS = 15_000;
/** How often the media timeout is checked. */
const MEDIA_CHECK_MS = 1_000;

/**
 * Where an RTMP connection starts: on the room's port (`head`: the bytes the port read to tell it
 * from HTTP), or handed over by the primary's shared RTMP port (`resume`: the bytes it read after
 * the handshake, replayed muted; see RtmpSessionOptions.resume).
 */
export type RtmpStart = { readonly head: Buffer } | { readonly resume: readonly Buffer[] };

/**
 * An RTMP publisher on the room's port, or one the shared RTMP port handed over.
 * The stream key is checked as a producer token for the room, like `?token=` on `/ingest`, and
 * the producer slot is claimed before the publish is accepted: a refusal (bad key, a viewer's
 * token, a busy room, a stopped producer) reaches the publisher as NetStream.Publish.BadName
 * with the reason. The tags then go, as an FLV byte stream, into the same IngestSession an HTTP
 * push feeds, with its backpressure; an ingest failure reaches the publisher as an error
 * onStatus with the reason, then the connection closes. Unpublish (FCUnpublish, deleteStream)
 * ends the stream; a connection lost without one is a drop the room may wait out.
 */
export function acceptRtmp(room: IngestRoom, socket: Duplex, start: RtmpStart): RtmpSession {
  // Connect's replies go out as several small writes, one round trip each: with Nagle on, every one
  // after the first waits for the publisher's delayed ACK (40 ms), and publish is acknowledged
  // in ~47 ms instead of ~4 (bench/rtmp.ts, "publish accept").
  if (socket instanceof Socket) socket.setNoDelay(true);
  let ingest: IngestSession | null = null;
  const rtmp: RtmpSession = new RtmpSession(
    socket,
    {
      authorize: async (app, key) => {
        if (app !== RTMP_APP) throw new Error(`Unknown RTMP application "${app}": publish to rtmp://HOST:PORT/${RTMP_APP} with a producer token as the stream key`);
        if (ingest !== null) throw new Error('This connection is already publishing');
        const auth = await authorizeProducerToken(key, room, { ip: publisherAddress(socket), protocol: 'rtmp' });
        if (!auth.ok) throw new Error(`${auth.code}: ${auth.message}`);
        let session: IngestSession;
        try {
          session = await room.stream.claim(auth.claims.sub, auth.claims.iat, 'rtmp', auth.expiresAt);
        } catch (error) {
          const refusal = claimRefusal(error);
          throw new Error(`${refusal.code}: ${refusal.message}`, { cause: error });
        }
        // The publisher may have gone while the slot was being freed for it.
        if (rtmp.closed) {
          session.abandon();
          throw new Error('The publisher went away');
        }
        ingest = session;
        attach(rtmp, session);
      },
      resume: 'resume' in start ? start.resume : undefined,
    },
    'head' in start ? start.head : undefined,
  );
  const publishTimer = setTimeout(() => {
    if (ingest === null) rtmp.close();
  }, PUBLISH_TIMEOUT_MS);
  publishTimer.unref();
  rtmp.on('failed', (failure) => room.logger.debug({ code: failure.code, reason: failure.message }, 'rtmp session failed'));
  rtmp.on('unpublish', () => ingest?.end());
  rtmp.on('closed', () => {
    clearTimeout(publishTimer);
    ingest?.drop();
  });
  return rtmp;
}

/**
 * Feeds the tags into the session, and bounds the publisher as an HTTP push is bounded: no
 * media for INGEST_MEDIA_TIMEOUT_SECONDS (after publish, or mid-stream), or less than
 * INGEST_MIN_KBPS over a window in which the server kept reading, and it is cut (a drop: OBS
 * reconnects by itself, and the stream is held for it).
 */
function attach(rtmp: RtmpSession, session: IngestSession): void {
  const { minBytesPerSecond, rateWindowMs, mediaTimeoutMs } = session.limits;
  const flv = new FlvStream();
  const floor = new RateFloor(minBytesPerSecond);
  let paused = false;
  let lastMediaAt = Date.now();
  const cut = (reason: string) => {
    rtmp.stop(reason);
    session.drop();
  };
  rtmp.on('tag', (tag) => {
    if (session.done) return;
    if (tag.type !== 18) lastMediaAt = Date.now();
    if (isKeyframe(tag)) session.keyframe(tag.timestamp);
    floor.add(tag.data.length);
    if (session.push(flv.push(tag))) return;
    paused = true;
    floor.holdUp();
    rtmp.pause();
  });
  session.on('drain', () => {
    paused = false;
    lastMediaAt = Date.now();
    rtmp.resume();
  });
  const mediaCheck = setInterval(() => {
    if (!paused && Date.now() - lastMediaAt > mediaTimeoutMs) cut(`REQUEST_TIMEOUT: The publisher sent no media for ${mediaTimeoutMs / 1000} s`);
  }, Math.min(MEDIA_CHECK_MS, mediaTimeoutMs));
  const windows = setInterval(() => {
    const slow = floor.endWindow(paused);
    if (slow === null) return;
    const kbps = Math.round((slow * 8) / 100) / 10;
    cut(`REQUEST_TIMEOUT: The stream arrived at ${kbps} kbps over ${rateWindowMs / 1000} s, below this server's minimum of ${(minBytesPerSecond * 8) / 1000} kbps`);
  }, rateWindowMs);
  const stopWatching = () => {
    clearInterval(mediaCheck);
    clearInterval(windows);
  };
  rtmp.once('closed', stopWatching);
  session.once('failed', (failure) => {
    stopWatching();
    rtmp.stop(`${failure.code}: ${failure.message}`);
  });
  session.once('finished', () => {
    stopWatching();
    rtmp.close();
  });
}

/** The publisher's address (RTMP has no proxy headers: the socket's peer). */
function publisherAddress(socket: Duplex): string {
  return (socket instanceof Socket ? normalizeAddress(socket.remoteAddress ?? '') : undefined) ?? 'unknown';
}

/** An H.264 (codec 7) keyframe carrying a picture (AVC packet type 1, not the sequence header), or another codec's keyframe. */
function isKeyframe(tag: FlvTag): boolean {
  if (tag.type !== 9 || tag.data.length < 2) return false;
  const frameType = tag.data[0]! >> 4;
  const codec = tag.data[0]! & 0x0f;
  return frameType === 1 && (codec !== 7 || tag.data[1] === 1);
}

/**
 * A handed-over publisher this worker cannot take (its room is gone from here): the session is
 * resumed only to refuse the publish in RTMP terms, NetStream.Publish.BadName with the reason.
 */
export function refuseRtmp(socket: Duplex, resume: readonly Buffer[], reason: string): RtmpSession {
  return new RtmpSession(socket, { authorize: () => Promise.reject(new Error(reason)), resume });
}
