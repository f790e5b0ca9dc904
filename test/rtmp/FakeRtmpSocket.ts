import { Duplex } from 'node:stream';
import { decodeAll, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkReader, type RtmpMessage } from '../../src/rtmp/ChunkReader.js';
import { ChunkWriter, OUTGOING_CHUNK_SIZE } from '../../src/rtmp/ChunkWriter.js';
import { HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';

/**
 * The server's side of an in-memory socket: what the server writes is kept as bytes and parsed
 * as a client would. `resumed`: the session starts after the handshake and its Set Chunk Size
 * (a resumed session's writes continue those of the primary's session).
 */
export class FakeRtmpSocket extends Duplex {
  readonly #reader = new ChunkReader();
  #handshakeLeft: number;
  readonly received: RtmpMessage[] = [];
  /** Every byte written after the handshake (S0, S1, S2). */
  readonly written: Buffer[] = [];

  constructor(resumed = false) {
    super();
    this.#handshakeLeft = resumed ? 0 : 1 + 2 * HANDSHAKE_SIZE;
    if (resumed) this.#reader.push(new ChunkWriter().setChunkSize(OUTGOING_CHUNK_SIZE));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const skip = Math.min(this.#handshakeLeft, chunk.length);
    this.#handshakeLeft -= skip;
    const rest = chunk.subarray(skip);
    this.written.push(Buffer.from(rest));
    this.received.push(...this.#reader.push(rest));
    done();
  }

  commands(): Amf0Value[][] {
    return this.received.filter((m) => m.typeId === 20).map((m) => decodeAll(m.payload));
  }

  /** The status object of the last onStatus command the server sent. */
  lastStatus(): Amf0Value | undefined {
    return this.commands().filter((c) => c[0] === 'onStatus').at(-1)?.[3];
  }
}
