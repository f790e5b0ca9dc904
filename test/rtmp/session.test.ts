import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { encode, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkWriter } from '../../src/rtmp/ChunkWriter.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { RtmpSession, type RtmpFailure, type RtmpSessionOptions } from '../../src/rtmp/RtmpSession.js';
import { FakeRtmpSocket as FakeSocket } from './FakeRtmpSocket.js';

const writer = new ChunkWriter();
const handshake = Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_SIZE), Buffer.alloc(HANDSHAKE_SIZE)]);
const cmd = (streamId: number, ...values: Amf0Value[]): Buffer => writer.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encode(...values) });

function start(options: Partial<RtmpSessionOptions> = {}): { socket: FakeSocket; session: RtmpSession; failures: RtmpFailure[] } {
  const socket = new FakeSocket();
  const session = new RtmpSession(socket, { authorize: (_app, key) => (key === 'good' ? Promise.resolve() : Promise.reject(new Error('bad key'))), ...options });
  const failures: RtmpFailure[] = [];
  session.on('failed', (f) => failures.push(f));
  return { socket, session, failures };
}

const publisherCommands = (key: string): Buffer =>
  Buffer.concat([
    cmd(0, 'connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://127.0.0.1/live' }),
    cmd(0, 'releaseStream', 2, null, key),
    cmd(0, 'FCPublish', 3, null, key),
    cmd(0, 'createStream', 4, null),
    cmd(1, 'publish', 5, null, key, 'live'),
  ]);

describe('RtmpSession', () => {
  it('answers the OBS/ffmpeg command sequence and passes media once publishing', async () => {
    const { socket, session, failures } = start();
    // The first byte was read by whoever sniffed the protocol: it comes as `head`.
    socket.push(handshake);
    const published = once(session, 'publish');
    const tags: number[] = [];
    session.on('tag', (t) => tags.push(t.type));
    socket.push(publisherCommands('good'));
    expect(await published).toEqual([{ app: 'live', streamKey: 'good' }]);
    const types = socket.received.map((m) => m.typeId);
    expect(types.slice(0, 4)).toEqual([5, 6, 1, 4]);
    const commands = socket.commands();
    expect(commands[0]?.[0]).toBe('_result');
    expect((commands[0]?.[3] as Record<string, Amf0Value>)['code']).toBe('NetConnection.Connect.Success');
    expect(commands.map((c) => c[0])).toEqual(['_result', '_result', 'onFCPublish', '_result', 'onStatus']);
    expect(commands[3]).toEqual(['_result', 4, null, 1]);
    expect((commands[4]?.[3] as Record<string, Amf0Value>)['code']).toBe('NetStream.Publish.Start');
    socket.push(writer.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.from([0x17, 0]) }));
    const unpublished = once(session, 'unpublish');
    socket.push(cmd(1, 'deleteStream', 6, null, 1));
    await unpublished;
    expect(tags).toEqual([9]);
    expect(failures).toEqual([]);
    session.close();
    session.close();
  });

  it('takes the bytes a protocol sniffer already read as head', async () => {
    const socket = new FakeSocket();
    const session = new RtmpSession(socket, { authorize: () => Promise.resolve() }, handshake.subarray(0, 1));
    const published = once(session, 'publish');
    socket.push(Buffer.concat([handshake.subarray(1), publisherCommands('any')]));
    expect(await published).toEqual([{ app: 'live', streamKey: 'any' }]);
    session.close();
  });

  it('refuses a bad key with Publish.BadName and one failure', async () => {
    const { socket, session, failures } = start();
    const failed = once(session, 'failed');
    socket.push(handshake);
    socket.push(publisherCommands('wrong'));
    await failed;
    const status = socket.commands().at(-1);
    expect(status?.[0]).toBe('onStatus');
    expect(status?.[3]).toEqual({ level: 'error', code: 'NetStream.Publish.BadName', description: 'bad key' });
    expect(failures).toEqual([{ code: 'PUBLISH_REFUSED', message: 'bad key' }]);
    session.close();
  });

  it('ends an accepted publish on stop() with an error onStatus carrying the reason, then closes', async () => {
    const { socket, session, failures } = start();
    socket.push(handshake);
    const published = once(session, 'publish');
    socket.push(publisherCommands('good'));
    await published;
    const closed = once(session, 'closed');
    session.stop('STREAM_STOPPED_BY_MODERATOR: stopped by a moderator');
    // The reason is on its way: the socket is ended (a FIN after it), not cut, even when the
    // ingest asks to close, until the publisher hangs up (a reset would discard the reason).
    session.close();
    expect(socket.writableEnded).toBe(true);
    expect(socket.destroyed).toBe(false);
    socket.push(null);
    await closed;
    expect(socket.destroyed).toBe(true);
    const status = socket.commands().at(-1);
    expect(status?.[0]).toBe('onStatus');
    expect(status?.[3]).toEqual({ level: 'error', code: 'NetStream.Failed', description: 'STREAM_STOPPED_BY_MODERATOR: stopped by a moderator' });
    expect(failures.map((f) => f.code)).toEqual(['PUBLISH_REFUSED']);
    session.stop('again');
  });

  it('drops media sent before publish is authorized', async () => {
    const { socket, session } = start();
    const tags: unknown[] = [];
    session.on('tag', (t) => tags.push(t));
    socket.push(handshake);
    socket.push(writer.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.from([0x17, 0]) }));
    const published = once(session, 'publish');
    socket.push(publisherCommands('good'));
    await published;
    expect(tags).toEqual([]);
    session.close();
  });

  it.each([
    ['junk instead of a handshake', Buffer.from('GET / HTTP/1.1\r\n'), 'HANDSHAKE_FAILED'],
    ['a chunk size of 0', Buffer.concat([handshake, Buffer.from('02000000000004010000000000000000', 'hex')]), 'PROTOCOL_ERROR'],
    ['an AMF string longer than the message', Buffer.concat([handshake, writer.write({ csid: 3, typeId: 20, streamId: 0, timestamp: 0, payload: Buffer.from('0200ff41', 'hex') })]), 'AMF_INVALID'],
  ])('fails once, without throwing, on %s', async (_what, bytes, code) => {
    const { socket, session, failures } = start();
    const closed = once(session, 'closed');
    socket.push(bytes);
    await closed;
    expect(failures.map((f) => f.code)).toEqual([code]);
  });

  it('times out a handshake that never finishes and a publisher that sends nothing', async () => {
    const stalled = start({ handshakeTimeoutMs: 30 });
    const stalledClosed = once(stalled.session, 'closed');
    stalled.socket.push(Buffer.from([3]));
    await stalledClosed;
    expect(stalled.failures.map((f) => f.code)).toEqual(['HANDSHAKE_TIMEOUT']);
    const silent = start({ idleTimeoutMs: 30 });
    const silentClosed = once(silent.session, 'closed');
    silent.socket.push(handshake);
    await silentClosed;
    expect(silent.failures.map((f) => f.code)).toEqual(['IDLE_TIMEOUT']);
  });

  it('acknowledges per the window the publisher sets', async () => {
    const { socket, session } = start();
    socket.push(handshake);
    socket.push(writer.write({ csid: 2, typeId: 5, streamId: 0, timestamp: 0, payload: Buffer.from('00000100', 'hex') }));
    socket.push(writer.write({ csid: 4, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(600) }));
    await new Promise((resolve) => setImmediate(resolve));
    const acks = socket.received.filter((m) => m.typeId === 3);
    expect(acks.length).toBeGreaterThan(0);
    session.close();
  });
});
