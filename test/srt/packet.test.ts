import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HANDSHAKE_BYTES,
  HS_CONCLUSION,
  HS_INDUCTION,
  inductionAnswer,
  inductionRequest,
  readHandshake,
  readHeader,
  readStreamId,
  rejection,
  rewriteHandshake,
  shutdown,
  SRT_MAGIC,
  streamIdBlock,
  type Handshake,
} from '../../src/srt/packet.js';
import { conclusionPacket, handshakePacket } from './srtPackets.js';

function handshakeOf(packet: Buffer): Handshake {
  const read = readHandshake(packet);
  if (!read.ok) throw new Error(read.reason);
  return read.handshake;
}

describe('SRT packets', () => {
  it('reads the header of control and data packets', () => {
    expect(readHeader(Buffer.alloc(15))).toBeNull();
    const data = Buffer.alloc(20);
    data.writeUInt32BE(42, 0);
    data.writeUInt32BE(7, 12);
    expect(readHeader(data)).toEqual({ control: false, controlType: 0, timestamp: 0, destinationId: 7 });
    expect(readHeader(shutdown(99, 5))).toEqual({ control: true, controlType: 5, timestamp: 5, destinationId: 99 });
  });

  it('reads an induction request', () => {
    const handshake = handshakeOf(handshakePacket());
    expect(handshake).toMatchObject({ version: 4, extensionField: 2, type: HS_INDUCTION, socketId: 0xabcdef, cookie: 0, mtu: 1500, flowWindow: 8192, extensions: [] });
  });

  it('reads the stream ID of a conclusion: 32-bit words byte-swapped, zero-padded', () => {
    const packet = conclusionPacket(77, '#!::r=room,s=abc');
    // On the wire: "#!::" arrives as "::!#".
    expect(packet.subarray(HANDSHAKE_BYTES + 16 + 4, HANDSHAKE_BYTES + 16 + 8).toString()).toBe('::!#');
    const handshake = handshakeOf(packet);
    expect(handshake).toMatchObject({ version: 5, type: HS_CONCLUSION, cookie: 77 });
    expect(handshake.extensions.map((e) => e.type)).toEqual([1, 5]);
    expect(readStreamId(handshake)).toEqual({ ok: true, streamId: '#!::r=room,s=abc' });
    expect(readStreamId(handshakeOf(conclusionPacket(77)))).toEqual({ ok: true, streamId: null });
  });

  it('refuses a short handshake, an extension past the end, a stream ID too long or not UTF-8', () => {
    expect(readHandshake(handshakePacket().subarray(0, 63))).toMatchObject({ ok: false });
    expect(readHandshake(Buffer.alloc(64))).toMatchObject({ ok: false, reason: 'not a handshake packet' });
    const overlong = Buffer.concat([handshakePacket(), Buffer.from([0, 5, 0, 9, 1, 2, 3, 4])]);
    expect(readHandshake(overlong)).toMatchObject({ ok: false });
    expect(readStreamId(handshakeOf(conclusionPacket(1, 'x'.repeat(513))))).toMatchObject({ ok: false });
    const badUtf8 = Buffer.concat([handshakePacket(), Buffer.from([0, 5, 0, 1, 0, 0, 0xff, 0xfe])]);
    expect(readStreamId(handshakeOf(badUtf8))).toEqual({ ok: false, reason: 'the stream ID is not UTF-8' });
  });

  it('answers an induction as an HSv5 listener: version 5, the magic, our cookie, to the caller\'s socket', () => {
    const request = handshakePacket();
    const answer = inductionAnswer(request, handshakeOf(request), 0xdeadbeef, 10);
    expect(answer.length).toBe(HANDSHAKE_BYTES);
    expect(readHeader(answer)).toMatchObject({ control: true, controlType: 0, destinationId: 0xabcdef, timestamp: 10 });
    expect(handshakeOf(answer)).toMatchObject({ version: 5, encryption: 0, extensionField: SRT_MAGIC, type: HS_INDUCTION, cookie: 0xdeadbeef, socketId: 0xabcdef, mtu: 1500 });
  });

  it('rejects with the handshake type 1000 + reason, without the extensions', () => {
    const request = conclusionPacket(5, 'token');
    const answer = rejection(request, handshakeOf(request), 1403, 0);
    expect(answer.length).toBe(HANDSHAKE_BYTES);
    expect(handshakeOf(answer).type).toBe(2403);
    expect(readHeader(answer)?.destinationId).toBe(0xabcdef);
  });

  it('makes an induction request from a conclusion, and rewrites the cookie of a conclusion', () => {
    const conclusion = conclusionPacket(5, 'token');
    expect(handshakeOf(inductionRequest(conclusion, 0))).toMatchObject({ version: 4, extensionField: 2, type: HS_INDUCTION, cookie: 0, socketId: 0xabcdef, extensions: [] });
    const rewritten = rewriteHandshake(conclusion, { cookie: 0xffffffff, destinationId: 0 });
    expect(handshakeOf(rewritten).cookie).toBe(0xffffffff);
    expect(readStreamId(handshakeOf(rewritten))).toEqual({ ok: true, streamId: 'token' });
    expect(handshakeOf(conclusion).cookie).toBe(5);
  });

  it('round-trips any stream ID up to 512 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }).filter((s) => !s.endsWith('\0') && Buffer.byteLength(s) <= 512), (streamId) => {
        const block = streamIdBlock(streamId);
        expect(block.length % 4).toBe(0);
        expect(readStreamId(handshakeOf(conclusionPacket(1, streamId)))).toEqual({ ok: true, streamId });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on junk, cut or mutated handshakes (fuzzed for a bounded time)', () => {
    const parseAll = (bytes: Uint8Array) => {
      const packet = Buffer.from(bytes);
      readHeader(packet);
      const read = readHandshake(packet);
      if (read.ok) readStreamId(read.handshake);
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), parseAll), { numRuns: 2_000, interruptAfterTimeLimit: 4_000 });
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (streamId, cut, at, byte) => {
        const packet = conclusionPacket(1, streamId.length > 0 ? streamId : undefined);
        parseAll(packet.subarray(0, cut % (packet.length + 1)));
        const mutated = Buffer.from(packet);
        mutated[at % mutated.length] = byte;
        parseAll(mutated);
      }),
      { numRuns: 2_000, interruptAfterTimeLimit: 4_000 },
    );
  });
});
