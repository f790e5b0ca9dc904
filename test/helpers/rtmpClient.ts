import net from 'node:net';
import { decodeAll, encode, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkReader } from '../../src/rtmp/ChunkReader.js';
import { ChunkWriter } from '../../src/rtmp/ChunkWriter.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';

/**
 * A bare RTMP publisher over TCP for what ffmpeg will not do: publish, then send nothing (or
 * only what the test sends). It records the commands the server sends back.
 */
export class RtmpTestClient {
  readonly socket: net.Socket;
  readonly commands: Amf0Value[][] = [];
  readonly closed: Promise<void>;
  readonly #writer = new ChunkWriter();
  readonly #reader = new ChunkReader();
  #handshakeLeft = 1 + 2 * HANDSHAKE_SIZE;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      const skip = Math.min(this.#handshakeLeft, chunk.length);
      this.#handshakeLeft -= skip;
      for (const message of this.#reader.push(chunk.subarray(skip))) {
        if (message.typeId === 20) this.commands.push(decodeAll(message.payload));
      }
    });
  }

  /** Connects, shakes hands and publishes `key` to app `live`. */
  static async publish(port: number, key: string): Promise<RtmpTestClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RtmpTestClient(socket);
    socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(HANDSHAKE_SIZE)]));
    // C2 may follow C1 at once: the server does not check its echo.
    socket.write(Buffer.alloc(HANDSHAKE_SIZE));
    socket.write(
      Buffer.concat([
        client.#command(0, 'connect', 1, { app: 'live', type: 'nonprivate', tcUrl: `rtmp://127.0.0.1:${port}/live` }),
        client.#command(0, 'releaseStream', 2, null, key),
        client.#command(0, 'FCPublish', 3, null, key),
        client.#command(0, 'createStream', 4, null),
        client.#command(1, 'publish', 5, null, key, 'live'),
      ]),
    );
    return client;
  }

  /** The `onStatus` infos the server sent, in order. */
  statuses(): Array<Record<string, Amf0Value>> {
    return this.commands.filter((c) => c[0] === 'onStatus').map((c) => c[3] as Record<string, Amf0Value>);
  }

  close(): void {
    this.socket.destroy();
  }

  #command(streamId: number, ...values: Amf0Value[]): Buffer {
    return this.#writer.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encode(...values) });
  }
}
