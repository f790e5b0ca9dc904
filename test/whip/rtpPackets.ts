import type { RtpInput } from '../../src/whip/RtpReorder.js';

/** An H.264 Annex B byte stream split into its NAL units (no start codes). */
export function annexBNalUnits(stream: Buffer): Buffer[] {
  const starts: Array<{ at: number; length: number }> = [];
  for (let i = 0; i + 3 <= stream.length; i += 1) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      const four = i > 0 && stream[i - 1] === 0;
      starts.push({ at: four ? i - 1 : i, length: four ? 4 : 3 });
      i += 2;
    }
  }
  return starts.map((start, n) => stream.subarray(start.at + start.length, starts[n + 1]?.at ?? stream.length));
}

/** NAL units grouped into pictures: parameter sets and SEI go with the slice that follows (one slice per picture). */
export function accessUnits(nalUnits: readonly Buffer[]): Buffer[][] {
  const units: Buffer[][] = [];
  let current: Buffer[] = [];
  for (const nal of nalUnits) {
    current.push(nal);
    const type = nal[0]! & 0x1f;
    if (type === 1 || type === 5) {
      units.push(current);
      current = [];
    }
  }
  return units;
}

/**
 * RFC 6184 mode 1 as a browser sends it: small NAL units of a picture together in a STAP-A,
 * big ones in FU-A fragments of at most `mtu` bytes, the marker on the picture's last packet.
 */
export function packetizeH264(units: readonly Buffer[][], options: { firstSequence: number; firstTimestamp: number; ticksPerFrame: number; mtu?: number }): RtpInput[] {
  const mtu = options.mtu ?? 1_000;
  const packets: RtpInput[] = [];
  let sequence = options.firstSequence;
  units.forEach((nalUnits, frame) => {
    const timestamp = (options.firstTimestamp + frame * options.ticksPerFrame) >>> 0;
    const payloads: Buffer[] = [];
    const small = nalUnits.filter((nal) => nal.length + 2 < mtu / 4);
    const rest = nalUnits.filter((nal) => !small.includes(nal));
    if (small.length > 1) {
      const parts = small.flatMap((nal) => {
        const size = Buffer.alloc(2);
        size.writeUInt16BE(nal.length);
        return [size, nal];
      });
      payloads.push(Buffer.concat([Buffer.from([(small[0]![0]! & 0x60) | 24]), ...parts]));
    } else payloads.push(...small);
    for (const nal of rest) {
      if (nal.length <= mtu) {
        payloads.push(nal);
        continue;
      }
      const body = nal.subarray(1);
      for (let at = 0; at < body.length; at += mtu - 2) {
        const start = at === 0 ? 0x80 : 0;
        const end = at + mtu - 2 >= body.length ? 0x40 : 0;
        payloads.push(Buffer.concat([Buffer.from([(nal[0]! & 0xe0) | 28, start | end | (nal[0]! & 0x1f)]), body.subarray(at, at + mtu - 2)]));
      }
    }
    payloads.forEach((payload, i) => {
      packets.push({ sequence: sequence & 0xffff, timestamp, marker: i === payloads.length - 1, payload });
      sequence += 1;
    });
  });
  return packets;
}
