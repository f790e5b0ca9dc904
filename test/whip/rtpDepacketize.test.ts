import { describe, expect, it } from 'vitest';
import { H264Depacketizer, type AccessUnit } from '../../src/whip/H264Depacketizer.js';
import { RtpReorder, type OrderedRtp, type RtpInput } from '../../src/whip/RtpReorder.js';

const packet = (sequence: number, extra: Partial<RtpInput> = {}): RtpInput => ({ sequence, timestamp: 0, marker: false, payload: Buffer.from([sequence & 0xff]), ...extra });
const sequences = (out: OrderedRtp[]) => out.map((p) => (p.lost ? `${p.sequence}!` : String(p.sequence)));

describe('RtpReorder', () => {
  it('gives packets out in sequence order, across the 16-bit wrap', () => {
    const order = new RtpReorder(100, 50);
    expect(sequences(order.push(packet(65_534), 0))).toEqual(['65534']);
    expect(sequences(order.push(packet(0), 1))).toEqual([]);
    expect(sequences(order.push(packet(65_535), 2))).toEqual(['65535', '0']);
    expect(sequences(order.push(packet(1), 3))).toEqual(['1']);
  });

  it('drops duplicates and packets older than those given out', () => {
    const order = new RtpReorder(100, 50);
    order.push(packet(10), 0);
    expect(order.push(packet(10), 1)).toEqual([]);
    expect(order.push(packet(9), 1)).toEqual([]);
    order.push(packet(12), 2);
    expect(order.push(packet(12), 3)).toEqual([]);
    expect(sequences(order.push(packet(11), 4))).toEqual(['11', '12']);
  });

  it('skips a gap after the wait, or when too many packets wait behind it, and marks the next packet lost', () => {
    const order = new RtpReorder(100, 50);
    order.push(packet(1), 0);
    expect(order.push(packet(3), 10)).toEqual([]);
    expect(order.push(packet(4), 60)).toEqual([]);
    expect(sequences(order.push(packet(5), 111))).toEqual(['3!', '4', '5']);
    // The lost packet coming after all is too late.
    expect(order.push(packet(2), 120)).toEqual([]);
    const small = new RtpReorder(10_000, 3);
    small.push(packet(1), 0);
    for (const s of [3, 4, 5]) expect(small.push(packet(s), 0)).toEqual([]);
    expect(sequences(small.push(packet(6), 0))).toEqual(['3!', '4', '5', '6']);
  });
});

const IDR = Buffer.from([0x65, 0x88, 0x80, 0x40]);
const SLICE = Buffer.from([0x41, 0x9a, 0x02]);
const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1f, 0xd9]);
const PPS = Buffer.from([0x68, 0xcb, 0x83]);
const stapA = (...nalUnits: Buffer[]) => Buffer.concat([Buffer.from([0x78]), ...nalUnits.flatMap((nal) => [Buffer.from([nal.length >> 8, nal.length & 0xff]), nal])]);
const fuA = (nal: Buffer, start: boolean, end: boolean, body: Buffer) => Buffer.concat([Buffer.from([(nal[0]! & 0xe0) | 28, (start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0]! & 0x1f)]), body]);
const rtp = (payload: Buffer, timestamp: number, marker: boolean, lost = false): OrderedRtp => ({ sequence: 0, timestamp, marker, payload, lost });

function collect(): { depacketizer: H264Depacketizer; units: AccessUnit[]; broken: number[] } {
  const broken: number[] = [];
  const depacketizer = new H264Depacketizer(() => broken.push(1));
  return { depacketizer, units: [], broken };
}

describe('H264Depacketizer', () => {
  it('reassembles STAP-A, FU-A and single NAL units into pictures, from the first keyframe on', () => {
    const { depacketizer } = collect();
    expect(depacketizer.push(rtp(SLICE, 100, true))).toEqual([]);
    expect(depacketizer.push(rtp(stapA(SPS, PPS), 200, false))).toEqual([]);
    expect(depacketizer.push(rtp(fuA(IDR, true, false, IDR.subarray(1, 2)), 200, false))).toEqual([]);
    const [key] = depacketizer.push(rtp(fuA(IDR, false, true, IDR.subarray(2)), 200, true));
    expect(key).toEqual({ timestamp: 200, keyframe: true, nalUnits: [SPS, PPS, IDR] });
    expect(depacketizer.push(rtp(SLICE, 300, true))).toEqual([{ timestamp: 300, keyframe: false, nalUnits: [SLICE] }]);
  });

  it('ends a picture whose marker was lost where the timestamp changes; ignores padding', () => {
    const { depacketizer } = collect();
    expect(depacketizer.push(rtp(IDR, 1, false))).toEqual([]);
    expect(depacketizer.push(rtp(Buffer.alloc(0), 1, false))).toEqual([]);
    expect(depacketizer.push(rtp(SLICE, 2, true))).toEqual([
      { timestamp: 1, keyframe: true, nalUnits: [IDR] },
      { timestamp: 2, keyframe: false, nalUnits: [SLICE] },
    ]);
  });

  it('drops pictures from a loss until the next keyframe and asks for one', () => {
    const { depacketizer, broken } = collect();
    depacketizer.push(rtp(IDR, 1, true));
    expect(depacketizer.push(rtp(SLICE, 2, true, true))).toEqual([]);
    expect(broken).toHaveLength(1);
    expect(depacketizer.push(rtp(SLICE, 3, true))).toEqual([]);
    // A fragment whose start was lost, then the keyframe.
    expect(depacketizer.push(rtp(fuA(IDR, false, true, IDR.subarray(2)), 4, true))).toEqual([]);
    expect(broken).toHaveLength(1);
    expect(depacketizer.push(rtp(IDR, 5, true))).toHaveLength(1);
  });

  it('never throws on malformed payloads: the picture is dropped', () => {
    const { depacketizer } = collect();
    depacketizer.push(rtp(IDR, 1, true));
    const junk = [Buffer.from([0x78, 0x00]), Buffer.from([0x78, 0x00, 0x09, 0x65]), Buffer.from([0x7c]), Buffer.from([0x79, 1, 2, 3]), Buffer.from([0x00]), Buffer.from([0x7c, 0x45])];
    for (const [i, payload] of junk.entries()) expect(depacketizer.push(rtp(payload, 10 + i, true))).toEqual([]);
    expect(depacketizer.push(rtp(IDR, 99, true))).toHaveLength(1);
  });
});
