import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { signRoomToken } from '../../src/chat/tokens.js';
import type { Envelope, RtmpHandoff } from '../../src/contracts/ipc.js';
import type { PrimarySideChannel } from '../../src/ipc/endpoints.js';
import { IpcChannel, type IpcEndpoint } from '../../src/ipc/IpcChannel.js';
import { decodeAll, encode, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkReader, type RtmpMessage } from '../../src/rtmp/ChunkReader.js';
import { ChunkWriter } from '../../src/rtmp/ChunkWriter.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { RtmpSession } from '../../src/rtmp/RtmpSession.js';
import { SharedRtmpPort, type SharedRtmpPortOptions } from '../../src/primary/SharedRtmpPort.js';

const KEY = new TextEncoder().encode('a-test-token-key-of-32-characters!!');
const EPOCH = 1_700_000_000_000;
const logger = pino({ level: 'silent' });

/** A worker's channel as the port sees it: sockets sent to it are kept here instead of crossing a process. */
function fakeWorker(): { channel: PrimarySideChannel; handoffs: Array<{ payload: RtmpHandoff; socket: Socket }> } {
  const handoffs: Array<{ payload: RtmpHandoff; socket: Socket }> = [];
  const endpoint: IpcEndpoint = {
    send: () => undefined,
    sendSocket: (message: Envelope, socket, done) => {
      handoffs.push({ payload: (message as { payload: RtmpHandoff }).payload, socket });
      done(null);
    },
    onMessage: () => () => undefined,
    onClose: () => () => undefined,
  };
  const channel: PrimarySideChannel = new IpcChannel(endpoint);
  return { channel, handoffs };
}

/** A publisher over TCP: the handshake, then commands; what the server sends is parsed. */
class Publisher {
  readonly socket: Socket;
  readonly messages: RtmpMessage[] = [];
  readonly #reader = new ChunkReader();
  readonly #writer = new ChunkWriter();
  #handshakeLeft = 1 + 2 * HANDSHAKE_SIZE;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (bytes: Buffer) => {
      const skip = Math.min(this.#handshakeLeft, bytes.length);
      this.#handshakeLeft -= skip;
      this.messages.push(...this.#reader.push(bytes.subarray(skip)));
    });
  }

  /** C0+C1, then C2 with the commands up to publish once S0-S2 are in; resolves with the bytes sent after the handshake. */
  async publish(key: string, app = 'live'): Promise<Buffer> {
    this.socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_SIZE)]));
    while (this.#handshakeLeft > 0) await once(this.socket, 'data');
    const cmd = (streamId: number, ...values: Amf0Value[]) => this.#writer.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encode(...values) });
    const commands = Buffer.concat([
      cmd(0, 'connect', 1, { app, type: 'nonprivate' }),
      cmd(0, 'releaseStream', 2, null, key),
      cmd(0, 'FCPublish', 3, null, key),
      cmd(0, 'createStream', 4, null),
      cmd(1, 'publish', 5, null, key, 'live'),
    ]);
    this.socket.write(Buffer.concat([Buffer.alloc(HANDSHAKE_SIZE), commands]));
    return commands;
  }

  commands(): Amf0Value[][] {
    return this.messages.filter((m) => m.typeId === 20).map((m) => decodeAll(m.payload));
  }

  /** Resolves with the status object of the first onStatus the server sends. */
  async status(): Promise<Record<string, Amf0Value>> {
    for (;;) {
      const found = this.commands().find((values) => values[0] === 'onStatus');
      if (found) return found[3] as Record<string, Amf0Value>;
      await once(this.socket, 'data');
    }
  }
}

describe('SharedRtmpPort (the primary\'s RTMP_PORT)', () => {
  const ports: SharedRtmpPort[] = [];
  const publishers: Publisher[] = [];
  afterEach(() => {
    for (const port of ports.splice(0)) port.close();
    for (const publisher of publishers.splice(0)) publisher.socket.destroy();
  });

  async function listen(options: Partial<SharedRtmpPortOptions> = {}) {
    const worker = fakeWorker();
    const port = new SharedRtmpPort({
      port: 0,
      tokenKey: KEY,
      route: (room) => (room === 'studio' ? { epoch: EPOCH, channel: worker.channel } : undefined),
      accepting: () => true,
      maxConnectionsPerIp: 10,
      logger,
      ...options,
    });
    ports.push(port);
    const bound = await port.listen();
    const connect = () => {
      const publisher = new Publisher(bound);
      publishers.push(publisher);
      return publisher;
    };
    return { worker, connect };
  }
  const token = (role: 'producer' | 'viewer', room = 'studio') => signRoomToken(KEY, { room, sub: 'u1', name: 'U1', role, epoch: EPOCH }, 600);

  it('reads up to publish, hands the socket with every byte after the handshake, and a resumed session answers on it', async () => {
    const { worker, connect } = await listen();
    const publisher = connect();
    const sent = await publisher.publish(await token('producer'));
    await expect.poll(() => worker.handoffs.length).toBe(1);
    const [{ payload, socket }] = worker.handoffs as [{ payload: RtmpHandoff; socket: Socket }];
    expect(payload.room).toBe('studio');
    expect(Buffer.concat(payload.received.map((piece) => Buffer.from(piece, 'base64'))).equals(sent)).toBe(true);
    // The primary answered connect and createStream, never publish.
    await expect.poll(() => publisher.commands().length).toBe(4);
    expect(publisher.commands().map((c) => c[0])).toEqual(['_result', '_result', 'onFCPublish', '_result']);
    // The worker's side, in this process: the same socket, resumed.
    const resumed = new RtmpSession(socket, { authorize: () => Promise.resolve(), resume: payload.received.map((piece) => Buffer.from(piece, 'base64')) });
    expect(await publisher.status()).toMatchObject({ code: 'NetStream.Publish.Start' });
    resumed.close();
  });

  it.each([
    ['junk', async () => 'junk', 'TOKEN_INVALID'],
    ['a viewer token', () => token('viewer'), 'FORBIDDEN'],
    ['a room this server does not have', () => token('producer', 'elsewhere'), 'ROOM_NOT_FOUND'],
  ])('refuses %s with Publish.BadName and the reason, handing nothing over', async (_what, key, reason) => {
    const { worker, connect } = await listen();
    const publisher = connect();
    await publisher.publish(await key());
    const status = await publisher.status();
    expect(status).toMatchObject({ level: 'error', code: 'NetStream.Publish.BadName' });
    expect(String(status['description'])).toContain(reason);
    await once(publisher.socket, 'close');
    expect(worker.handoffs).toEqual([]);
  });

  it('refuses an unknown app, a draining server and a room whose worker is gone', async () => {
    const draining = await listen({ accepting: () => false });
    const a = draining.connect();
    await a.publish(await token('producer'));
    expect(String((await a.status())['description'])).toContain('NOT_ACCEPTING');
    const app = await listen();
    const b = app.connect();
    await b.publish(await token('producer'), 'other');
    expect(String((await b.status())['description'])).toContain('Unknown RTMP application "other"');
    const gone = await listen({ route: () => ({ epoch: EPOCH, channel: undefined }) });
    const c = gone.connect();
    await c.publish(await token('producer'));
    expect(String((await c.status())['description'])).toContain('WORKER_UNAVAILABLE');
  });

  it('cuts a connection that does not publish in time, and one over the per-address cap', async () => {
    const { connect } = await listen({ prePublishTimeoutMs: 100, maxConnectionsPerIp: 1 });
    const silent = connect();
    const over = connect();
    await once(over.socket, 'close');
    await once(silent.socket, 'close');
  });
});
