/**
 * The few SRT packets a relay must read or write (draft-sharabayko-srt, section 3): the 16-byte
 * header of every packet, the handshake control packet and its extension blocks, and the
 * shutdown packet. Pure: buffers in, values or buffers out; never throws on a peer's bytes
 * (every parser answers null or an error value).
 */

/** Every SRT packet starts with these 16 bytes: flags and type, type-specific word, timestamp, destination socket ID. */
export const HEADER_BYTES = 16;
/** The handshake's fixed part (version to peer IP address), before any extension block. */
export const HANDSHAKE_CIF_BYTES = 48;
export const HANDSHAKE_BYTES = HEADER_BYTES + HANDSHAKE_CIF_BYTES;

export const CONTROL_HANDSHAKE = 0x0000;
export const CONTROL_SHUTDOWN = 0x0005;

/** Handshake types (the Handshake Type field, a signed 32-bit value on the wire). */
export const HS_INDUCTION = 1;
export const HS_CONCLUSION = -1;
/** A rejection is sent as this plus the reason (see rejections.ts). */
export const HS_REJECTION_BASE = 1000;

/** What an HSv5 listener puts in the induction answer's extension field. */
export const SRT_MAGIC = 0x4a17;
/** The legacy UDT socket type an induction request carries in its extension field. */
export const UDT_DGRAM = 2;
/** Extension flag: the handshake carries configuration blocks (stream ID among them). */
export const HS_EXT_CONFIG = 0x4;
/** Extension block type of the stream ID (SRT_CMD_SID). */
export const EXT_STREAM_ID = 5;
/** The stream ID is at most this many bytes (SRTO_STREAMID). */
export const MAX_STREAM_ID_BYTES = 512;

export interface PacketHeader {
  readonly control: boolean;
  /** Control packets: the control type (15 bits); 0 for data packets. */
  readonly controlType: number;
  readonly timestamp: number;
  readonly destinationId: number;
}

export interface HandshakeExtension {
  readonly type: number;
  readonly contents: Buffer;
}

export interface Handshake {
  readonly version: number;
  readonly encryption: number;
  readonly extensionField: number;
  readonly initialSequence: number;
  readonly mtu: number;
  readonly flowWindow: number;
  /** Signed: 1 induction, -1 conclusion, 1000+ a rejection. */
  readonly type: number;
  readonly socketId: number;
  readonly cookie: number;
  readonly extensions: readonly HandshakeExtension[];
}

/** null: shorter than a header (not SRT). */
export function readHeader(packet: Buffer): PacketHeader | null {
  if (packet.length < HEADER_BYTES) return null;
  const first = packet.readUInt32BE(0);
  const control = (first & 0x8000_0000) !== 0;
  return {
    control,
    controlType: control ? (first >>> 16) & 0x7fff : 0,
    timestamp: packet.readUInt32BE(8),
    destinationId: packet.readUInt32BE(12),
  };
}

export type HandshakeResult = { ok: true; handshake: Handshake } | { ok: false; reason: string };

/** Reads a handshake control packet, its extension blocks included (when HS_EXT_CONFIG or others say there are some). */
export function readHandshake(packet: Buffer): HandshakeResult {
  const header = readHeader(packet);
  if (header === null || !header.control || header.controlType !== CONTROL_HANDSHAKE) return { ok: false, reason: 'not a handshake packet' };
  if (packet.length < HANDSHAKE_BYTES) return { ok: false, reason: `a handshake is at least ${HANDSHAKE_BYTES} bytes, this one ${packet.length}` };
  const cif = HEADER_BYTES;
  const extensions: HandshakeExtension[] = [];
  // Blocks follow the fixed part: a word of type (16 bits) and length in words (16 bits), then the words.
  let at = HANDSHAKE_BYTES;
  while (at + 4 <= packet.length) {
    const type = packet.readUInt16BE(at);
    const words = packet.readUInt16BE(at + 2);
    const end = at + 4 + words * 4;
    if (end > packet.length) return { ok: false, reason: `handshake extension ${type} says ${words} words, past the end of the packet` };
    extensions.push({ type, contents: packet.subarray(at + 4, end) });
    at = end;
  }
  return {
    ok: true,
    handshake: {
      version: packet.readUInt32BE(cif),
      encryption: packet.readUInt16BE(cif + 4),
      extensionField: packet.readUInt16BE(cif + 6),
      initialSequence: packet.readUInt32BE(cif + 8),
      mtu: packet.readUInt32BE(cif + 12),
      flowWindow: packet.readUInt32BE(cif + 16),
      type: packet.readInt32BE(cif + 20),
      socketId: packet.readUInt32BE(cif + 24),
      cookie: packet.readUInt32BE(cif + 28),
      extensions,
    },
  };
}

export type StreamIdResult = { ok: true; streamId: string | null } | { ok: false; reason: string };

/**
 * The stream ID of a conclusion handshake, null when it has none. libsrt stores the string in
 * 32-bit words, each written little-endian and then sent in network order: every group of four
 * bytes arrives reversed, and the last one is padded with zero bytes.
 */
export function readStreamId(handshake: Handshake): StreamIdResult {
  const block = handshake.extensions.find((extension) => extension.type === EXT_STREAM_ID);
  if (block === undefined) return { ok: true, streamId: null };
  if (block.contents.length === 0 || block.contents.length > MAX_STREAM_ID_BYTES) {
    return { ok: false, reason: `the stream ID is ${block.contents.length} bytes; 1 to ${MAX_STREAM_ID_BYTES} are allowed` };
  }
  const bytes = swapWords(block.contents);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  try {
    return { ok: true, streamId: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end)) };
  } catch {
    return { ok: false, reason: 'the stream ID is not UTF-8' };
  }
}

/** The extension block for a stream ID, as a caller sends it (for tests and the fuzzer). */
export function streamIdBlock(streamId: string): Buffer {
  const text = Buffer.from(streamId, 'utf8');
  const words = Math.ceil(text.length / 4);
  const padded = Buffer.alloc(words * 4);
  text.copy(padded);
  const block = Buffer.alloc(4 + words * 4);
  block.writeUInt16BE(EXT_STREAM_ID, 0);
  block.writeUInt16BE(words, 2);
  swapWords(padded).copy(block, 4);
  return block;
}

/** Reverses each group of four bytes (the length is a multiple of 4). */
function swapWords(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let at = 0; at + 4 <= bytes.length; at += 4) {
    out[at] = bytes[at + 3]!;
    out[at + 1] = bytes[at + 2]!;
    out[at + 2] = bytes[at + 1]!;
    out[at + 3] = bytes[at]!;
  }
  return out;
}

export interface HandshakeFields {
  readonly version?: number;
  readonly encryption?: number;
  readonly extensionField?: number;
  readonly type?: number;
  readonly cookie?: number;
  /** The header's destination socket ID. */
  readonly destinationId?: number;
  readonly timestamp?: number;
}

/**
 * A copy of a handshake packet (at least HANDSHAKE_BYTES long) with some fields changed;
 * `withExtensions` false keeps only the fixed part.
 */
export function rewriteHandshake(packet: Buffer, fields: HandshakeFields, withExtensions = true): Buffer {
  const out = Buffer.from(packet.subarray(0, withExtensions ? packet.length : HANDSHAKE_BYTES));
  const cif = HEADER_BYTES;
  if (fields.timestamp !== undefined) out.writeUInt32BE(fields.timestamp >>> 0, 8);
  if (fields.destinationId !== undefined) out.writeUInt32BE(fields.destinationId >>> 0, 12);
  if (fields.version !== undefined) out.writeUInt32BE(fields.version >>> 0, cif);
  if (fields.encryption !== undefined) out.writeUInt16BE(fields.encryption, cif + 4);
  if (fields.extensionField !== undefined) out.writeUInt16BE(fields.extensionField, cif + 6);
  if (fields.type !== undefined) out.writeInt32BE(fields.type | 0, cif + 20);
  if (fields.cookie !== undefined) out.writeUInt32BE(fields.cookie >>> 0, cif + 28);
  return out;
}

/**
 * A listener's answer to an induction request (the caller's packet, its fields echoed): HSv5,
 * the SRT magic, no key length advertised, and our cookie; sent to the caller's socket ID.
 */
export function inductionAnswer(request: Buffer, handshake: Handshake, cookie: number, timestamp: number): Buffer {
  return rewriteHandshake(request, { version: 5, encryption: 0, extensionField: SRT_MAGIC, type: HS_INDUCTION, cookie, destinationId: handshake.socketId, timestamp }, false);
}

/** A listener's rejection of a conclusion: the fixed part with the handshake type 1000 + reason. */
export function rejection(request: Buffer, handshake: Handshake, reason: number, timestamp: number): Buffer {
  return rewriteHandshake(request, { type: HS_REJECTION_BASE + reason, destinationId: handshake.socketId, timestamp }, false);
}

/** An induction request made from a caller's conclusion (its socket ID, sequence, MTU and window), to start a handshake of our own. */
export function inductionRequest(conclusion: Buffer, timestamp: number): Buffer {
  return rewriteHandshake(conclusion, { version: 4, encryption: 0, extensionField: UDT_DGRAM, type: HS_INDUCTION, cookie: 0, destinationId: 0, timestamp }, false);
}

/** A shutdown control packet to a socket ID (libsrt sends four padding bytes after the header). */
export function shutdown(destinationId: number, timestamp: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + 4);
  out.writeUInt32BE((0x8000_0000 | (CONTROL_SHUTDOWN << 16)) >>> 0, 0);
  out.writeUInt32BE(timestamp >>> 0, 8);
  out.writeUInt32BE(destinationId >>> 0, 12);
  return out;
}
