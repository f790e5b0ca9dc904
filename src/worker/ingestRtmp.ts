import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IngestSession } from '../hls/IngestSession.js';
import { StreamBusyError } from '../hls/LiveStream.js';
import { ERRORS } from '../kit/errors.js';
import { FlvStream } from '../rtmp/flv.js';
import { RtmpSession } from '../rtmp/RtmpSession.js';
import { authorizeProducerToken } from './ingestAuth.js';
import type { IngestRoom } from './ingestHttp.js';

/** The RTMP application a publisher names: `rtmp://HOST:ROOMPORT/live`, the stream key a producer token. */
export const RTMP_APP = 'live';

/**
 * An RTMP publisher on the room's port (`head`: the bytes the port read to tell it from HTTP).
 * The stream key is checked as a producer token for the room, like `?token=` on `/ingest`, and
 * the producer slot is claimed before the publish is accepted: a refusal (bad key, a viewer's
 * token, a busy room) reaches the publisher as NetStream.Publish.BadName with the reason. The
 * tags then go, as an FLV byte stream, into the same IngestSession an HTTP push feeds, with its
 * backpressure; ingest failures are logged by the LiveStream (`ingest failed`) and close the
 * RTMP session.
 */
export function acceptRtmp(room: IngestRoom, socket: Duplex, head: Buffer): RtmpSession {
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
        const auth = await authorizeProducerToken(key, room);
        if (!auth.ok) throw new Error(`${auth.code}: ${auth.message}`);
        let session: IngestSession;
        try {
          session = await room.stream.claim(auth.claims.sub, auth.claims.iat);
        } catch (error) {
          if (error instanceof StreamBusyError) throw new Error(`STREAM_BUSY: ${error.message}`, { cause: error });
          throw new Error(`STREAM_STOPPED: ${ERRORS.STREAM_STOPPED.message}`, { cause: error });
        }
        // The publisher may have gone while the slot was being freed for it.
        if (rtmp.closed) {
          session.end();
          throw new Error('The publisher went away');
        }
        ingest = session;
        attach(rtmp, session);
      },
    },
    head,
  );
  const flv = new FlvStream();
  rtmp.on('tag', (tag) => {
    if (ingest === null || ingest.done) return;
    if (!ingest.push(flv.push(tag))) rtmp.pause();
  });
  rtmp.on('failed', (failure) => room.logger.debug({ code: failure.code, reason: failure.message }, 'rtmp session failed'));
  // The publisher unpublished or went away: the stream ends cleanly either way.
  rtmp.on('unpublish', () => ingest?.end());
  rtmp.on('closed', () => ingest?.end());
  return rtmp;
}

function attach(rtmp: RtmpSession, session: IngestSession): void {
  session.on('drain', () => rtmp.resume());
  session.once('failed', () => rtmp.close());
  session.once('finished', () => rtmp.close());
}
