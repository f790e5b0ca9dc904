import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { encode, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkWriter } from '../../src/rtmp/ChunkWriter.js';
import type { FlvTag } from '../../src/rtmp/flv.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { RtmpSession, type RtmpFailure, type RtmpSessionOptions } from '../../src/rtmp/RtmpSession.js';
import { FakeRtmpSocket } from './FakeRtmpSocket.js';

const handshake = Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_SIZE, 7), Buffer.alloc(HANDSHAKE_SIZE, 9)]);
const accept = (): Promise<void> => Promise.resolve();
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * What a publisher sends up to publish, made to exercise the state a resumed session must
 * rebuild: its own chunk size (60), a small acknowledgement window (so acks fall during the
 * commands), commands on two chunk streams with type 1 and 3 headers, and a data message right
 * behind the publish command in the same piece.
 */
function publisherBytes(key: string): { pieces: Buffer[]; media: Buffer } {
  const client = new ChunkWriter();
  const cmd = (csid: number, streamId: number, ...values: Amf0Value[]) => client.write({ csid, typeId: 20, streamId, timestamp: 0, payload: encode(...values) });
  const ackWindow = Buffer.from('00000096', 'hex');
  const before = Buffer.concat([
    handshake,
    client.setChunkSize(60),
    client.write({ csid: 2, typeId: 5, streamId: 0, timestamp: 0, payload: ackWindow }),
    cmd(3, 0, 'connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)' }),
    cmd(3, 0, 'releaseStream', 2, null, key),
    cmd(5, 0, 'FCPublish', 3, null, key),
    cmd(3, 0, 'createStream', 4, null),
  ]);
  const publish = Buffer.concat([cmd(4, 1, 'publish', 5, null, key, 'live'), client.write({ csid: 4, typeId: 18, streamId: 1, timestamp: 0, payload: encode('@setDataFrame', 'onMetaData', { width: 320 }) })]);
  // Uneven pieces, as TCP delivers them; the last one ends with the publish command and what follows it.
  const pieces: Buffer[] = [];
  for (let at = 0, size = 37; at < before.length; at += size, size = 37 + (pieces.length % 5) * 101) pieces.push(before.subarray(at, at + size));
  pieces.push(publish);
  const media = Buffer.concat([
    client.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.concat([Buffer.from([0x17, 0]), Buffer.alloc(300, 1)]) }),
    client.write({ csid: 7, typeId: 8, streamId: 1, timestamp: 20, payload: Buffer.from([0xaf, 1, 2, 3]) }),
  ]);
  return { pieces, media };
}

function session(socket: FakeRtmpSocket, options: Partial<RtmpSessionOptions>): { session: RtmpSession; tags: FlvTag[]; failures: RtmpFailure[] } {
  const rtmp = new RtmpSession(socket, { authorize: accept, ...options });
  const tags: FlvTag[] = [];
  const failures: RtmpFailure[] = [];
  rtmp.on('tag', (tag) => tags.push(tag));
  rtmp.on('failed', (failure) => failures.push(failure));
  return { session: rtmp, tags, failures };
}

/** One 'data' event per piece, as TCP reads deliver them. */
async function feed(socket: FakeRtmpSocket, pieces: readonly Buffer[]): Promise<void> {
  for (const piece of pieces) {
    await tick();
    socket.push(piece);
  }
}

/** The primary's part: up to publish, then detached with what it read. */
async function primaryPart(pieces: readonly Buffer[], authorize: RtmpSessionOptions['authorize'] = accept) {
  const socket = new FakeRtmpSocket();
  const primary = session(socket, { authorize, handoff: { maxBytes: 64 * 1024 } });
  const handoff = once(primary.session, 'handoff');
  await feed(socket, pieces);
  const [event] = (await handoff) as [{ app: string; streamKey: string }];
  return { socket, event, handover: primary.session.detach(), failures: primary.failures };
}

describe('RTMP session handoff (shared RTMP port)', () => {
  it('primary + resumed worker write exactly what one session writes, and pass the same tags', async () => {
    const { pieces, media } = publisherBytes('key1');

    const directSocket = new FakeRtmpSocket();
    const direct = session(directSocket, {});
    const published = once(direct.session, 'publish');
    await feed(directSocket, pieces);
    await published;
    directSocket.push(media);
    await tick();

    const primary = await primaryPart(pieces);
    expect(primary.event).toEqual({ app: 'live', streamKey: 'key1' });
    // Every byte after the handshake, in the pieces they came in.
    expect(Buffer.concat(primary.handover.received).equals(Buffer.concat(pieces).subarray(handshake.length))).toBe(true);
    expect(primary.handover.received.at(-1)).toEqual(pieces.at(-1));
    // The primary never answers the publish.
    expect(primary.socket.commands().map((c) => c[0])).toEqual(['_result', '_result', 'onFCPublish', '_result']);
    expect(primary.socket.destroyed).toBe(false);

    const workerSocket = new FakeRtmpSocket(true);
    const worker = session(workerSocket, { resume: primary.handover.received });
    const workerPublished = once(worker.session, 'publish');
    await tick();
    expect(await workerPublished).toEqual([{ app: 'live', streamKey: 'key1' }]);
    workerSocket.push(media);
    await tick();

    const directBytes = Buffer.concat(directSocket.written);
    expect(directSocket.received.some((m) => m.typeId === 3)).toBe(true);
    expect(Buffer.concat([...primary.socket.written, ...workerSocket.written]).equals(directBytes)).toBe(true);
    expect(workerSocket.commands().map((c) => c[0])).toEqual(['onStatus']);
    expect(worker.tags).toEqual(direct.tags);
    expect(worker.tags.map((t) => t.type)).toEqual([9, 8]);
    expect([...direct.failures, ...primary.failures, ...worker.failures]).toEqual([]);
    direct.session.close();
    worker.session.close();
  });

  it('the worker refuses in RTMP terms after resuming (Publish.BadName with the reason)', async () => {
    const { pieces } = publisherBytes('key2');
    const primary = await primaryPart(pieces);
    const workerSocket = new FakeRtmpSocket(true);
    const worker = session(workerSocket, { resume: primary.handover.received, authorize: () => Promise.reject(new Error('STREAM_BUSY: Another producer is live in this room')) });
    await once(worker.session, 'failed');
    expect(workerSocket.lastStatus()).toEqual({ level: 'error', code: 'NetStream.Publish.BadName', description: 'STREAM_BUSY: Another producer is live in this room' });
    expect(worker.failures.map((f) => f.code)).toEqual(['PUBLISH_REFUSED']);
    worker.session.close();
  });

  it('the primary refuses a key it does not take with Publish.BadName and hands nothing over', async () => {
    const { pieces } = publisherBytes('junk');
    const socket = new FakeRtmpSocket();
    const primary = session(socket, { authorize: () => Promise.reject(new Error('TOKEN_INVALID: The token is forged or malformed')), handoff: { maxBytes: 64 * 1024 } });
    let handedOff = false;
    primary.session.on('handoff', () => (handedOff = true));
    const failed = once(primary.session, 'failed');
    await feed(socket, pieces);
    await failed;
    expect(socket.lastStatus()).toMatchObject({ code: 'NetStream.Publish.BadName', description: 'TOKEN_INVALID: The token is forged or malformed' });
    expect(handedOff).toBe(false);
    expect(() => primary.session.detach()).toThrow(/handoff/);
    primary.session.close();
  });

  it('fails a peer that sends more than the bound before publish', async () => {
    const socket = new FakeRtmpSocket();
    const primary = session(socket, { handoff: { maxBytes: 1000 } });
    const closed = once(primary.session, 'closed');
    const client = new ChunkWriter();
    await feed(socket, [handshake, ...Array.from({ length: 10 }, () => client.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(200) }))]);
    await closed;
    expect(primary.failures.map((f) => f.code)).toEqual(['TOO_LARGE']);
  });

  it('a resumed session whose bytes hold no publish fails instead of staying mute', async () => {
    const { pieces } = publisherBytes('key3');
    const received = Buffer.concat(pieces.slice(0, -1)).subarray(handshake.length);
    const socket = new FakeRtmpSocket(true);
    const worker = session(socket, { resume: [received] });
    await once(worker.session, 'closed');
    expect(worker.failures.map((f) => f.code)).toEqual(['PROTOCOL_ERROR']);
    expect(socket.written).toEqual([]);
  });
});
