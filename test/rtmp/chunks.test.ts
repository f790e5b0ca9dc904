import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkReader, type RtmpMessage } from '../../src/rtmp/ChunkReader.js';
import { ChunkWriter, type OutgoingMessage } from '../../src/rtmp/ChunkWriter.js';
import { RtmpError } from '../../src/rtmp/RtmpError.js';

function message(csid: number, timestamp: number, length: number, typeId = 9, streamId = 1): OutgoingMessage {
  return { csid, typeId, streamId, timestamp, payload: Buffer.alloc(length, csid & 0xff) };
}

function strip({ typeId, streamId, timestamp, payload }: OutgoingMessage): RtmpMessage {
  return { typeId, streamId, timestamp, payload };
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('ChunkWriter -> ChunkReader', () => {
  it.each([2, 63, 64, 319, 320, 65599])('carries chunk stream id %i (1, 2 and 3 byte basic headers)', (csid) => {
    const out = message(csid, 40, 300);
    expect(new ChunkReader().push(new ChunkWriter().write(out))).toEqual([strip(out)]);
  });

  it('splits at the chunk size and follows a Set Chunk Size', () => {
    const writer = new ChunkWriter();
    const reader = new ChunkReader();
    const small = message(4, 0, 300);
    const bytes = writer.write(small);
    // 300 bytes at 128 a chunk: a 12-byte header and two 1-byte type 3 headers.
    expect(bytes.length).toBe(300 + 12 + 2);
    const big = message(4, 33, 10_000);
    const messages = reader.push(Buffer.concat([bytes, writer.setChunkSize(4096), writer.write(big)]));
    expect(messages.map((m) => m.payload.length)).toEqual([300, 4, 10_000]);
    expect(reader.chunkSize).toBe(4096);
  });

  it('carries extended timestamps, repeated on type 3 chunks', () => {
    const out = message(5, 0x1234_5678, 500);
    const bytes = new ChunkWriter().write(out);
    expect(bytes.length).toBe(12 + 4 + 3 * (1 + 4) + 500);
    expect(new ChunkReader().push(bytes)).toEqual([strip(out)]);
  });

  it('reassembles whatever the byte boundaries (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ csid: fc.integer({ min: 2, max: 400 }), timestamp: fc.nat(), length: fc.nat({ max: 3000 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }),
        (specs, cuts) => {
          const writer = new ChunkWriter();
          const outs = specs.map((s) => message(s.csid, s.timestamp, s.length));
          const bytes = Buffer.concat(outs.map((m) => writer.write(m)));
          const reader = new ChunkReader();
          const got: RtmpMessage[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const size = cuts[i % cuts.length]!;
            got.push(...reader.push(bytes.subarray(at, at + size)));
            at += size;
          }
          expect(got).toEqual(outs.map(strip));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ChunkReader headers', () => {
  it('takes type 1, 2 and 3 headers from what the chunk stream remembers', () => {
    const fmt0 = hex('04 000064 000002 09 01000000 aabb');
    const fmt1 = hex('44 00000a 000001 08 cc');
    const fmt2 = hex('84 000005 dd');
    const fmt3 = hex('c4 ee');
    const messages = new ChunkReader().push(Buffer.concat([fmt0, fmt1, fmt2, fmt3]));
    expect(messages.map((m) => [m.typeId, m.streamId, m.timestamp, m.payload.toString('hex')])).toEqual([
      [9, 1, 100, 'aabb'],
      [8, 1, 110, 'cc'],
      [8, 1, 115, 'dd'],
      [8, 1, 120, 'ee'],
    ]);
  });

  it('emits a zero-length message', () => {
    expect(new ChunkReader().push(hex('03 000000 000000 14 00000000')).map((m) => m.payload.length)).toEqual([0]);
  });

  it('drops a partial message on Abort', () => {
    const reader = new ChunkReader();
    // 200 bytes announced on csid 4, 128 sent; then Abort(4); then a new message on csid 4.
    const partial = Buffer.concat([hex('04 000000 0000c8 09 01000000'), Buffer.alloc(128)]);
    const abort = hex('02 000000 000004 02 00000000 00000004');
    const next = hex('04 000001 000001 09 01000000 ff');
    const messages = reader.push(Buffer.concat([partial, abort, next]));
    expect(messages.map((m) => m.typeId)).toEqual([2, 9]);
    expect(messages[1]!.payload.toString('hex')).toBe('ff');
  });

  it.each([
    ['a chunk size of 0', '02 000000 000004 01 00000000 00000000', /outside/],
    ['a chunk size of 2^31', '02 000000 000004 01 00000000 80000000', /outside/],
    ['a chunk stream starting with type 1', '44 000000 000001 08 00', /must start with type 0/],
    ['a new header inside a message', '04 000000 000100 09 01000000 00 44 000000 000001 08', /middle of a message/],
  ])('refuses %s', (_what, bytes, reason) => {
    const reader = new ChunkReader();
    const input = hex(bytes);
    // The header inside a message needs the message cut at the chunk size: shrink it first.
    const prefix = _what.includes('inside') ? hex('02 000000 000004 01 00000000 00000001') : Buffer.alloc(0);
    expect(() => reader.push(Buffer.concat([prefix, input]))).toThrow(reason);
  });

  it('caps the chunk size but accepts any valid one', () => {
    const reader = new ChunkReader();
    reader.push(hex('02 000000 000004 01 00000000 7fffffff'));
    expect(reader.chunkSize).toBe(0xffffff);
  });

  it('refuses incomplete messages past the buffered bound, and too many chunk streams', () => {
    const reader = new ChunkReader({ maxBufferedBytes: 1000, maxChunkStreams: 64 });
    reader.push(hex('04 000000 000258 09 01000000'));
    expect(() => reader.push(Buffer.concat([Buffer.alloc(128), hex('05 000000 000258 09 01000000')]))).toThrow(/incomplete messages/);
    const few = new ChunkReader({ maxBufferedBytes: 1000, maxChunkStreams: 2 });
    expect(() => few.push(hex('02 000000 000000 14 00000000 03 000000 000000 14 00000000 04 000000 000000 14 00000000'))).toThrow(/chunk streams/);
  });

  it('throws only RtmpError on random or mutated bytes, and never returns more than its bound (fuzz)', () => {
    const limits = { maxBufferedBytes: 64 * 1024, maxChunkStreams: 8 };
    const valid = new ChunkWriter().write(message(4, 0x1000000, 700));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (noise, at, byte, cut) => {
        const mutated = Buffer.from(valid);
        mutated[at % mutated.length] = byte;
        for (const input of [Buffer.from(noise), mutated, valid.subarray(0, cut % valid.length), Buffer.concat([valid, Buffer.from(noise)])]) {
          try {
            for (const m of new ChunkReader(limits).push(input)) expect(m.payload.length).toBeLessThanOrEqual(limits.maxBufferedBytes);
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
