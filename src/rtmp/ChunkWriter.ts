import { DEFAULT_CHUNK_SIZE } from './ChunkReader.js';

export interface OutgoingMessage {
  /** Chunk stream: 2 for protocol control, 3 for commands by convention; 2..65599. */
  readonly csid: number;
  readonly typeId: number;
  readonly streamId: number;
  readonly timestamp: number;
  readonly payload: Buffer;
}

/** Our chunk size: fewer headers than the default 128, small enough to interleave. */
export const OUTGOING_CHUNK_SIZE = 4096;
const SET_CHUNK_SIZE = 1;
const EXTENDED = 0xffffff;

/**
 * Splits messages into chunks. Every message starts with a full (type 0) header and continues
 * with type 3: we send few messages, so the bytes a shorter header would save do not matter,
 * and a full header never depends on what the peer remembers.
 */
export class ChunkWriter {
  #chunkSize = DEFAULT_CHUNK_SIZE;

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** The Set Chunk Size message for `size`; the chunks written after it use that size. */
  setChunkSize(size: number = OUTGOING_CHUNK_SIZE): Buffer {
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(size);
    const bytes = this.write({ csid: 2, typeId: SET_CHUNK_SIZE, streamId: 0, timestamp: 0, payload });
    this.#chunkSize = size;
    return bytes;
  }

  write(message: OutgoingMessage): Buffer {
    const { csid, payload } = message;
    const timestamp = message.timestamp >>> 0;
    const extended = timestamp >= EXTENDED;
    const parts: Buffer[] = [];
    for (let at = 0; at === 0 || at < payload.length; at += this.#chunkSize) {
      const first = at === 0;
      const header = basicHeader(first ? 0 : 3, csid);
      parts.push(header);
      if (first) {
        const fields = Buffer.alloc(11);
        fields.writeUIntBE(extended ? EXTENDED : timestamp, 0, 3);
        fields.writeUIntBE(payload.length, 3, 3);
        fields[6] = message.typeId;
        fields.writeUInt32LE(message.streamId, 7);
        parts.push(fields);
      }
      // The extended timestamp is repeated on type 3 chunks, as the specification and ffmpeg do.
      if (extended) {
        const ext = Buffer.alloc(4);
        ext.writeUInt32BE(timestamp);
        parts.push(ext);
      }
      parts.push(payload.subarray(at, at + this.#chunkSize));
    }
    return Buffer.concat(parts);
  }
}

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid < 2 || csid > 65599) throw new RangeError(`chunk stream id ${csid} is outside 2..65599`);
  if (csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 320) return Buffer.from([fmt << 6, csid - 64]);
  const rest = csid - 64;
  return Buffer.from([(fmt << 6) | 1, rest & 0xff, rest >> 8]);
}
