import { RtmpError } from './RtmpError.js';

/** One reassembled RTMP message. */
export interface RtmpMessage {
  readonly typeId: number;
  readonly streamId: number;
  /** Milliseconds, 32 bits, wrapping as RTMP's clock does. */
  readonly timestamp: number;
  readonly payload: Buffer;
}

export interface ChunkReaderLimits {
  /** Bytes of incomplete messages held across all chunk streams (the 24-bit length allows 16 MiB each). */
  readonly maxBufferedBytes: number;
  /** Chunk streams a peer may open; a publisher uses a handful. */
  readonly maxChunkStreams: number;
}

export const DEFAULT_READER_LIMITS: ChunkReaderLimits = { maxBufferedBytes: 16 * 1024 * 1024, maxChunkStreams: 64 };

/** The chunk size every peer starts with (RTMP 1.0, 5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** No message is longer than its 24-bit length field allows, so a bigger chunk size reads the same. */
const MAX_USEFUL_CHUNK_SIZE = 0xffffff;
const EXTENDED = 0xffffff;
const SET_CHUNK_SIZE = 1;
const ABORT = 2;

/** What a chunk stream remembers of its last header, for the shorter headers that follow. */
interface ChunkStream {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** Whether the last header used an extended timestamp: a type 3 chunk then carries one too. */
  extended: boolean;
  /** The message being reassembled, if a chunk of it has arrived. */
  parts: Buffer[];
  received: number;
}

interface Header {
  readonly fmt: number;
  readonly csid: number;
  /** Bytes of the basic + message header + extended timestamp. */
  readonly size: number;
}

/**
 * Turns the bytes after the handshake into messages. It holds at most one header fragment
 * (< 18 bytes) plus the incomplete messages, bounded by `maxBufferedBytes`; payload bytes are
 * copied once, as they arrive, whatever the chunk size. Set Chunk Size and Abort are applied
 * here because they change how the next bytes parse; they are emitted too.
 */
export class ChunkReader {
  readonly #limits: ChunkReaderLimits;
  readonly #streams = new Map<number, ChunkStream>();
  #chunkSize = DEFAULT_CHUNK_SIZE;
  #fragment: Buffer = Buffer.alloc(0);
  /** The chunk whose payload is being read, and how many of its bytes are still to come. */
  #current: ChunkStream | null = null;
  #chunkLeft = 0;
  /** The declared lengths of the messages being reassembled: what they may still make us hold. */
  #reserved = 0;

  constructor(limits: ChunkReaderLimits = DEFAULT_READER_LIMITS) {
    this.#limits = limits;
  }

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** Parses what it can; throws RtmpError on a protocol violation (the reader is then unusable). */
  push(bytes: Buffer): RtmpMessage[] {
    const messages: RtmpMessage[] = [];
    const buf = this.#fragment.length === 0 ? bytes : Buffer.concat([this.#fragment, bytes]);
    this.#fragment = Buffer.alloc(0);
    let at = 0;
    while (at < buf.length) {
      if (this.#current === null) {
        const header = this.#readHeader(buf, at);
        if (header === null) {
          this.#fragment = Buffer.from(buf.subarray(at));
          break;
        }
        at += header.size;
        // A zero-length message is complete at its header: no payload byte will come to finish it.
        if (this.#chunkLeft === 0) {
          const empty = this.#current!;
          this.#current = null;
          messages.push(this.#complete(empty));
        }
        continue;
      }
      const stream = this.#current;
      const take = Math.min(this.#chunkLeft, buf.length - at);
      stream.parts.push(Buffer.from(buf.subarray(at, at + take)));
      stream.received += take;
      this.#chunkLeft -= take;
      at += take;
      if (this.#chunkLeft > 0) continue;
      this.#current = null;
      if (stream.received === stream.length) messages.push(this.#complete(stream));
    }
    return messages;
  }

  #complete(stream: ChunkStream): RtmpMessage {
    const payload = stream.parts.length === 1 ? stream.parts[0]! : Buffer.concat(stream.parts);
    this.#reserved -= stream.length;
    stream.parts = [];
    stream.received = 0;
    const message = { typeId: stream.typeId, streamId: stream.streamId, timestamp: stream.timestamp, payload };
    if (message.streamId === 0 && message.typeId === SET_CHUNK_SIZE) this.#setChunkSize(payload);
    if (message.streamId === 0 && message.typeId === ABORT && payload.length >= 4) this.#abort(payload.readUInt32BE(0));
    return message;
  }

  #setChunkSize(payload: Buffer): void {
    if (payload.length < 4) throw new RtmpError('PROTOCOL_ERROR', 'Set Chunk Size carries fewer than 4 bytes');
    const size = payload.readUInt32BE(0);
    if (size === 0 || size > 0x7fffffff) throw new RtmpError('PROTOCOL_ERROR', `Set Chunk Size ${size} is outside 1..2^31-1`);
    this.#chunkSize = Math.min(size, MAX_USEFUL_CHUNK_SIZE);
  }

  #abort(csid: number): void {
    const stream = this.#streams.get(csid);
    if (stream === undefined || stream === this.#current || stream.parts.length === 0) return;
    this.#reserved -= stream.length;
    stream.parts = [];
    stream.received = 0;
  }

  /** Reads one chunk header at `at`, or null if its bytes have not all arrived. */
  #readHeader(buf: Buffer, at: number): Header | null {
    const left = buf.length - at;
    const first = buf[at]!;
    const fmt = first >> 6;
    const low = first & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    if (left < basic) return null;
    const csid = low === 0 ? 64 + buf[at + 1]! : low === 1 ? 64 + buf[at + 1]! + buf[at + 2]! * 256 : low;
    const known = this.#streams.get(csid);
    const headerSize = [11, 7, 3, 0][fmt]!;
    if (left < basic + headerSize) return null;
    const h = at + basic;
    if (fmt !== 0 && known === undefined) {
      throw new RtmpError('PROTOCOL_ERROR', `chunk stream ${csid} starts with a type ${fmt} header (it must start with type 0)`);
    }
    const field = fmt === 3 ? 0 : buf.readUIntBE(h, 3);
    const extended = fmt === 3 ? known!.extended : field === EXTENDED;
    const size = basic + headerSize + (extended ? 4 : 0);
    if (left < size) return null;
    const time = extended ? buf.readUInt32BE(at + basic + headerSize) : field;
    const stream = known ?? this.#open(csid);
    const starting = stream.received === 0;
    if (!starting && fmt !== 3) {
      throw new RtmpError('PROTOCOL_ERROR', `chunk stream ${csid} got a type ${fmt} header in the middle of a message`);
    }
    if (fmt <= 1) {
      stream.length = buf.readUIntBE(h + 3, 3);
      stream.typeId = buf[h + 6]!;
    }
    if (fmt === 0) stream.streamId = buf.readUInt32LE(h + 7);
    if (fmt !== 3) stream.extended = extended;
    if (fmt === 0) {
      stream.timestamp = time;
      // After an absolute timestamp, a type 3 header that starts a message repeats that time.
      stream.delta = 0;
    } else if (fmt !== 3) {
      stream.delta = time;
      stream.timestamp = (stream.timestamp + time) >>> 0;
    } else if (starting) {
      stream.timestamp = (stream.timestamp + stream.delta) >>> 0;
    }
    if (starting) {
      if (this.#reserved + stream.length > this.#limits.maxBufferedBytes) {
        throw new RtmpError('TOO_LARGE', `a message of ${stream.length} bytes would hold more than ${this.#limits.maxBufferedBytes} bytes of incomplete messages`);
      }
      this.#reserved += stream.length;
    }
    this.#current = stream;
    this.#chunkLeft = Math.min(this.#chunkSize, stream.length - stream.received);
    return { fmt, csid, size };
  }

  #open(csid: number): ChunkStream {
    if (this.#streams.size >= this.#limits.maxChunkStreams) {
      throw new RtmpError('PROTOCOL_ERROR', `the peer opened more than ${this.#limits.maxChunkStreams} chunk streams`);
    }
    const stream: ChunkStream = { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, parts: [], received: 0 };
    this.#streams.set(csid, stream);
    return stream;
  }
}
