import { describe, expect, it } from 'vitest';
import { Handshake, HANDSHAKE_SIZE } from '../../src/rtmp/handshake.js';
import { RtmpError } from '../../src/rtmp/RtmpError.js';

const c1 = Buffer.alloc(HANDSHAKE_SIZE, 7);

describe('Handshake', () => {
  it('answers C0+C1 with S0+S1+S2, S2 echoing C1, then takes C2', () => {
    const handshake = new Handshake(() => 1000);
    const first = handshake.push(Buffer.concat([Buffer.from([3]), c1]));
    expect(first.done).toBe(false);
    const reply = first.reply!;
    expect(reply.length).toBe(1 + 2 * HANDSHAKE_SIZE);
    expect(reply[0]).toBe(3);
    // S1: our time, then four zero bytes (no digest: clients skip the Flash check).
    expect(reply.readUInt32BE(1)).toBe(1000);
    expect(reply.readUInt32BE(5)).toBe(0);
    const s2 = reply.subarray(1 + HANDSHAKE_SIZE);
    expect(s2.subarray(8).equals(c1.subarray(8))).toBe(true);
    const done = handshake.push(Buffer.concat([Buffer.alloc(HANDSHAKE_SIZE), Buffer.from([1, 2])]));
    expect(done.done).toBe(true);
    expect([...done.rest]).toEqual([1, 2]);
  });

  it('accepts the bytes one at a time', () => {
    const handshake = new Handshake();
    const all = Buffer.concat([Buffer.from([3]), c1, Buffer.alloc(HANDSHAKE_SIZE)]);
    let replies = 0;
    let done = false;
    for (const byte of all) {
      const step = handshake.push(Buffer.from([byte]));
      if (step.reply !== null) replies++;
      done = step.done;
    }
    expect(replies).toBe(1);
    expect(done).toBe(true);
  });

  it('accepts C0, C1 and C2 in one piece', () => {
    const step = new Handshake().push(Buffer.concat([Buffer.from([3]), c1, Buffer.alloc(HANDSHAKE_SIZE)]));
    expect(step.reply).not.toBeNull();
    expect(step.done).toBe(true);
  });

  it.each([0, 6, 0x16, 0x47])('refuses version %i with a clear error', (version) => {
    expect(() => new Handshake().push(Buffer.from([version]))).toThrow(RtmpError);
    expect(() => new Handshake().push(Buffer.from([version]))).toThrow(/version/);
  });
});
