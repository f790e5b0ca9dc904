import { HANDSHAKE_BYTES, HS_CONCLUSION, HS_INDUCTION, streamIdBlock } from '../../src/srt/packet.js';

export interface HandshakeSpec {
  readonly version?: number;
  readonly extensionField?: number;
  readonly type?: number;
  readonly socketId?: number;
  readonly cookie?: number;
  readonly destinationId?: number;
  readonly streamId?: string;
}

/** A handshake packet as a caller sends it (libsrt's layout), for tests. */
export function handshakePacket(spec: HandshakeSpec = {}): Buffer {
  const fixed = Buffer.alloc(HANDSHAKE_BYTES);
  fixed.writeUInt32BE(0x8000_0000, 0);
  fixed.writeUInt32BE(1234, 8);
  fixed.writeUInt32BE(spec.destinationId ?? 0, 12);
  fixed.writeUInt32BE(spec.version ?? 4, 16);
  fixed.writeUInt16BE(spec.extensionField ?? 2, 22);
  fixed.writeUInt32BE(0x1234567, 24);
  fixed.writeUInt32BE(1500, 28);
  fixed.writeUInt32BE(8192, 32);
  fixed.writeInt32BE(spec.type ?? HS_INDUCTION, 36);
  fixed.writeUInt32BE(spec.socketId ?? 0xabcdef, 40);
  fixed.writeUInt32BE(spec.cookie ?? 0, 44);
  fixed.writeUInt32BE(0x0100007f, 48);
  if (spec.streamId === undefined) return fixed;
  // An HSREQ block (3 words) first, as libsrt sends, then the stream ID.
  const hsreq = Buffer.alloc(16);
  hsreq.writeUInt16BE(1, 0);
  hsreq.writeUInt16BE(3, 2);
  return Buffer.concat([fixed, hsreq, streamIdBlock(spec.streamId)]);
}

export function conclusionPacket(cookie: number, streamId?: string, socketId = 0xabcdef): Buffer {
  return handshakePacket({ version: 5, extensionField: 0x5, type: HS_CONCLUSION, cookie, socketId, ...(streamId === undefined ? {} : { streamId }) });
}
