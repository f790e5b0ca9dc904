import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { WhipPeer, type MatroskaSink, type WhipPeerOptions } from '../../src/whip/WhipPeer.js';
import { WhipIngest, type WhipPeerFactory, type WhipSettings } from '../../src/worker/ingestWhip.js';
import { ingestRoom, MARKER } from '../helpers/ingestRoom.js';
import { WHIP_OFFER } from '../whip/offers.js';

type Room = Awaited<ReturnType<typeof ingestRoom>>;

/**
 * WhipIngest over a real HTTP server and a real LiveStream; the peers are werift's (WhipPeer),
 * some with their answer() steered to hit a moment a browser hits by chance (a stop, a leave).
 */
describe('WhipIngest', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function serve(settings: Partial<WhipSettings> = {}, createPeer?: WhipPeerFactory) {
    const room = await ingestRoom();
    const whip = new WhipIngest(room.room, { udpPorts: undefined, iceHost: '127.0.0.1', ...settings }, createPeer);
    const responses: ServerResponse[] = [];
    const handled: Array<Promise<void>> = [];
    const server = http.createServer((req, res) => {
      responses.push(res);
      handled.push(
        whip.handle(new URL(req.url ?? '/', 'http://x').pathname, req, res).catch((error: unknown) => {
          res.writeHead(599).end(String(error));
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(room.close, () => whip.close('test over'), () => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whip`;
    const post = async (producer: string, offer = WHIP_OFFER) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await room.token(producer)}`, 'content-type': 'application/sdp' },
        body: offer,
        signal: AbortSignal.timeout(10_000),
      });
    return { room, whip, url, post, responses, handled };
  }

  /** Nothing started for the abandoned claim, and the slot is free for anyone. */
  function nothingStarted(room: Room): void {
    expect(room.stream.producer).toBeNull();
    expect(room.stream.canClaim('someone-else')).toBe(true);
    expect(room.ffmpegAsked).toBe(0);
    expect(room.counters).toMatchObject({ streamsStarted: 0, ffmpegFailures: 0 });
    expect(room.encoders.used).toBe(0);
    expect(existsSync(path.join(room.dir, MARKER))).toBe(true);
    expect(room.stream.status.phase).toBe('offline');
  }

  /** A real peer whose answer() runs `during` once werift has answered (the WebM header is in the session then). */
  const steered =
    (during: (peer: WhipPeer) => unknown): WhipPeerFactory =>
    (options: WhipPeerOptions, hasAudio: boolean, sink: MatroskaSink) => {
      const peer = new WhipPeer(options, hasAudio, sink);
      const answer = peer.answer.bind(peer);
      peer.answer = async (offer) => {
        const sdp = await answer(offer);
        await during(peer);
        return sdp;
      };
      return peer;
    };

  it('answers 500 and frees the slot when the peer cannot be made (a one-port WHIP_UDP_PORTS)', async () => {
    const { room, post } = await serve({ udpPorts: { first: 40_000, last: 40_000 } });
    const res = await post('p1');
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('INTERNAL');
    nothingStarted(room);
  });

  it('answers 500 and frees the slot when the peer closes while it answers', async () => {
    const { room, post } = await serve({}, steered((peer) => peer.close('a track could not be recorded')));
    const res = await post('p1');
    expect(res.status).toBe(500);
    expect((await errorOf(res)).message).toContain('a track could not be recorded');
    nothingStarted(room);
  });

  it('starts nothing for a publisher that left while its offer was answered', async () => {
    const controller = new AbortController();
    let responses: ServerResponse[] = [];
    const served = await serve(
      {},
      steered(async () => {
        const res = responses.at(-1)!;
        controller.abort();
        if (!res.destroyed) await once(res, 'close');
      }),
    );
    responses = served.responses;
    const request = fetch(served.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${await served.room.token('p1')}`, 'content-type': 'application/sdp' },
      body: WHIP_OFFER,
      signal: controller.signal,
    });
    await expect(request).rejects.toThrow();
    await Promise.all(served.handled);
    nothingStarted(served.room);
  });

  it('answers a stop (403) or the room closing (503) that came while the offer was answered', async () => {
    const stopped = await serve({}, steered(() => stopped.room.stream.stop('stopped by the test')));
    const refused = await stopped.post('p1');
    expect(refused.status).toBe(403);
    expect((await errorOf(refused))).toEqual({ code: 'STREAM_STOPPED_BY_MODERATOR', message: 'stopped by the test' });
    expect(stopped.whip.size).toBe(0);

    const closing = await serve({}, steered(() => void closing.room.stream.close('the room closes', 'deleted')));
    const closed = await closing.post('p1');
    expect(closed.status).toBe(503);
    expect((await errorOf(closed)).code).toBe('STREAM_STOPPED');
    expect(closing.whip.size).toBe(0);
  });

  it('answers 503 with Retry-After and frees the slot when every WHIP_UDP_PORTS port is taken', async () => {
    const [first, sockets] = await takenPortPair();
    closers.push(() => Promise.all(sockets.map((socket) => new Promise((resolve) => socket.close(() => resolve(undefined))))));
    const { room, post } = await serve({ udpPorts: { first, last: first + 1 } });
    const res = await post('p1');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
    expect((await errorOf(res)).code).toBe('NO_PORTS_AVAILABLE');
    nothingStarted(room);
  });

  it('cuts a publisher that connects but never sends video, and starts nothing for it', async () => {
    const { room, whip, post } = await serve();
    const client = new RTCPeerConnection({ codecs: { video: [H264], audio: [] } });
    closers.push(() => client.close());
    client.addTransceiver('video', { direction: 'sendonly' });
    await client.setLocalDescription(await client.createOffer());
    await iceGathered(client);
    const res = await post('p1', client.localDescription!.sdp);
    expect(res.status, await res.clone().text()).toBe(201);
    await client.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    await new Promise<void>((resolve) => client.connectionStateChange.subscribe((state) => state === 'connected' && resolve()));
    expect(whip.size).toBe(1);
    // The idle clock (5 s) runs from the connection: the session ends without a frame.
    const startedAt = Date.now();
    while (whip.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    nothingStarted(room);
  }, 15_000);
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

const H264 = new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90_000, parameters: 'packetization-mode=1;profile-level-id=42e01f' });

async function iceGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()));
}

/** Two consecutive UDP ports held on every address (werift's binds on them fail), the first of them. */
async function takenPortPair(): Promise<[number, dgram.Socket[]]> {
  for (;;) {
    const first = await bindUdp(0);
    const port = (first.address() as AddressInfo).port;
    try {
      return [port, [first, await bindUdp(port + 1)]];
    } catch {
      first.close();
    }
  }
}

function bindUdp(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ port, exclusive: true }, () => resolve(socket));
  });
}
