import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFragment } from '../../src/hls/fmp4/fragment.js';
import { Fmp4Error, type Fmp4ErrorCode } from '../../src/hls/fmp4/Fmp4Error.js';
import { Fmp4Splitter } from '../../src/hls/fmp4/Fmp4Splitter.js';
import { parseInitSegment, type InitSegment } from '../../src/hls/fmp4/initSegment.js';
import { fmp4Sample, split, splitClean } from './fmp4Media.js';

const box = (type: string, ...payload: Buffer[]): Buffer => {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
};
const u32 = (...values: number[]): Buffer => Buffer.concat(values.map((value) => Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff])));
const fullBox = (type: string, version: number, flags: number, ...payload: Buffer[]): Buffer => box(type, u32(((version << 24) | flags) >>> 0), ...payload);

/** The error a splitter reports for these bytes, and that it says nothing after it. */
function splitError(bytes: Buffer | Buffer[], options?: { maxBoxBytes?: number }): Fmp4Error {
  const splitter = new Fmp4Splitter(options);
  const errors: unknown[] = [];
  let afterError = 0;
  splitter.on('error', (error) => errors.push(error));
  splitter.on('fragment', () => (afterError += errors.length));
  splitter.on('init', () => (afterError += errors.length));
  for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) splitter.push(chunk);
  splitter.push(Buffer.from('garbage after the error'));
  splitter.end();
  expect(errors).toHaveLength(1);
  expect(afterError).toBe(0);
  expect(errors[0]).toBeInstanceOf(Fmp4Error);
  return errors[0] as Fmp4Error;
}

const expectFmp4Error = (run: () => unknown, code: Fmp4ErrorCode, message: RegExp): void => {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Fmp4Error);
  expect((thrown as Fmp4Error).code).toBe(code);
  expect((thrown as Fmp4Error).message).toMatch(message);
};

/** Replaces every occurrence of one four-character box type (renaming a box hides it from readers). */
const rename = (bytes: Buffer, from: string, to: string): Buffer => Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');

let stream: Buffer;
let init: InitSegment;

beforeAll(async () => {
  stream = await fmp4Sample({ video: { fps: 30, gop: 30 }, audio: true, seconds: 1 });
  init = splitClean(stream).init;
});

describe('Fmp4Splitter refuses bad streams with one Fmp4Error', () => {
  it('refuses a box over the size limit from its header alone', () => {
    const header = Buffer.concat([u32(33 * 1024 * 1024), Buffer.from('ftyp')]);
    expect(splitError(header)).toMatchObject({ code: 'TOO_LARGE', message: expect.stringMatching(/ftyp claims 34603008 bytes/) });
    const large = Buffer.concat([u32(1), Buffer.from('mdat'), u32(0x10, 0)]);
    expect(splitError(large).code).toBe('TOO_LARGE');
    expect(splitError(stream, { maxBoxBytes: 1500 }).message).toMatch(/mdat claims \d+ bytes, more than the 1500/);
  });

  it('refuses sizes 0 ("to the end"), sizes smaller than the header and unprintable types', () => {
    expect(splitError(Buffer.concat([u32(0), Buffer.from('ftyp')]))).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/size 0/) });
    expect(splitError(Buffer.concat([u32(7), Buffer.from('ftyp')])).code).toBe('MALFORMED');
    expect(splitError(Buffer.concat([u32(1), Buffer.from('ftyp'), u32(0, 15)])).code).toBe('MALFORMED');
    expect(splitError(Buffer.from([0, 0, 0, 16, 0x47, 0x40, 0x11, 0x10, 0, 0, 0, 0, 0, 0, 0, 0])).message).toMatch(/0x47401110 is not four printable/);
  });

  it('wants ftyp, then one moov, then moof + mdat pairs', () => {
    const moofAt = init.bytes.length;
    expect(splitError(stream.subarray(moofAt)).message).toMatch(/starts with moof, not ftyp/);
    expect(splitError([init.bytes, init.bytes]).message).toMatch(/second ftyp/);
    const ftypSize = init.bytes.readUInt32BE(0);
    expect(splitError([init.bytes, init.bytes.subarray(ftypSize)]).message).toMatch(/second moov/);
    expect(splitError([init.bytes.subarray(0, ftypSize), stream.subarray(moofAt)]).message).toMatch(/moof before the moov/);
    const moofSize = stream.readUInt32BE(moofAt);
    expect(splitError([init.bytes, stream.subarray(moofAt, moofAt + moofSize), box('free'), stream.subarray(moofAt + moofSize)]).message).toMatch(/moof is followed by free/);
    expect(splitError([init.bytes, stream.subarray(moofAt + moofSize)]).message).toMatch(/mdat without a moof/);
  });

  it('drops boxes between fragments', () => {
    const moofAt = init.bytes.length;
    const { events, discarded } = split(Buffer.concat([init.bytes, box('styp', Buffer.from('msdh')), box('prft', u32(0, 1, 2, 3, 4)), stream.subarray(moofAt)]));
    expect(discarded).toBe(0);
    expect(events).toEqual(split(stream).events);
  });
});

describe('init segments', () => {
  it('needs mvex (a fragmented file) and a usable track', () => {
    expectFmp4Error(() => parseInitSegment(rename(init.bytes, 'mvex', 'free')), 'MALFORMED', /no mvex box \(not a fragmented MP4/);
    const noTracks = rename(rename(init.bytes, 'vide', 'text'), 'soun', 'subt');
    expectFmp4Error(() => parseInitSegment(noTracks), 'UNSUPPORTED', /No usable video or audio track.*track 1: handler "text".*track 2: handler "subt"/);
    expectFmp4Error(() => parseInitSegment(rename(init.bytes, 'avc1', 'vp09')), 'UNSUPPORTED', /video codec "vp09"/);
    const noAudio = parseInitSegment(rename(init.bytes, 'mp4a', 'mp4x'));
    expect(noAudio.tracks.map((t) => t.kind)).toEqual(['video']);
    expect(noAudio.skipped).toEqual(['track 2: audio codec "mp4x" is not one this server describes']);
  });

  it('names the box a truncation cuts', () => {
    expectFmp4Error(() => parseInitSegment(init.bytes.subarray(0, init.bytes.length - 30)), 'MALFORMED', /moov claims \d+ bytes but only/);
  });
});

describe('fragments: times and sync samples from trun, tfhd and trex', () => {
  const TIMESCALE = 1000;
  const track = { id: 1, kind: 'video', timescale: TIMESCALE, codec: 'avc1.64001f', defaultSampleDuration: 40, defaultSampleFlags: 0x1_0000 } as const;
  const made: InitSegment = { bytes: Buffer.alloc(0), tracks: [track], trackIds: new Set([1]), skipped: [] };
  const NON_SYNC = 0x1_0000;
  /** A moof with one traf (tfhd flags and fields, tfdt v1, one trun) and an mdat of `data` bytes. */
  const fragment = (tfhd: [number, ...number[]], trun: [number, ...number[]], data = 64): Buffer => {
    const [tfhdFlags, ...tfhdFields] = tfhd;
    const [trunFlags, ...trunFields] = trun;
    const moof = box('moof', fullBox('mfhd', 0, 0, u32(1)), box('traf', fullBox('tfhd', 0, tfhdFlags | 0x2_0000, u32(1, ...tfhdFields)), fullBox('tfdt', 1, 0, u32(0, 4000)), fullBox('trun', 0, trunFlags, u32(...trunFields))));
    return Buffer.concat([moof, box('mdat', Buffer.alloc(data))]);
  };

  it('uses trex defaults when tfhd and trun are silent', () => {
    expect(parseFragment(fragment([0], [0, 5]), made)).toMatchObject({ start: 4, duration: 0.2, independent: false, firstSampleDuration: 0.04, referenceTrack: 1 });
  });

  it('prefers tfhd defaults, then per-sample values, then first_sample_flags', () => {
    expect(parseFragment(fragment([0x28, 50, 0], [0, 4]), made)).toMatchObject({ duration: 0.2, independent: true });
    expect(parseFragment(fragment([0x28, 50, 0], [0x500, 3, 33, NON_SYNC, 34, 0, 33, 0]), made)).toMatchObject({ duration: 0.1, independent: false, firstSampleDuration: 0.033 });
    expect(parseFragment(fragment([0x28, 50, NON_SYNC], [0x404, 2, 0, NON_SYNC, NON_SYNC]), made)).toMatchObject({ duration: 0.1, independent: true });
    expect(parseFragment(fragment([0], [0x400, 1, 0]), made).tracks.get(1)).toEqual({ baseDecodeTime: 4000, duration: 40, samples: 1 });
  });

  it('checks that samples lie inside the mdat', () => {
    const size = (moofBytes: number): number => moofBytes + 8;
    const probe = fragment([0x10, 16], [0x1, 4, 0]);
    const dataStart = size(probe.readUInt32BE(0));
    expect(parseFragment(fragment([0x10, 16], [0x1, 4, dataStart]), made).duration).toBe(0.16);
    expectFmp4Error(() => parseFragment(fragment([0x10, 16], [0x1, 4, dataStart + 1]), made), 'MALFORMED', /trun: samples at bytes \d+-\d+ of the fragment, outside its mdat/);
    expectFmp4Error(() => parseFragment(fragment([0x10, 16], [0x1, 4, dataStart - 9]), made), 'MALFORMED', /outside its mdat/);
  });

  it('refuses runs that do not fit, unknown tracks and times past 2^53', () => {
    expectFmp4Error(() => parseFragment(fragment([0], [0x100, 0xffff_ffff, 40]), made), 'MALFORMED', /moof\/traf\/trun: 4294967295 samples of 4 bytes do not fit/);
    const unknown = { ...made, trackIds: new Set([2]) };
    expectFmp4Error(() => parseFragment(fragment([0], [0, 1]), unknown), 'MALFORMED', /tfhd names track 1, which the init segment does not have/);
    const far = Buffer.from(fragment([0], [0, 1]));
    far.writeUInt32BE(0x0020_0000, far.indexOf('tfdt') + 8);
    expectFmp4Error(() => parseFragment(far, made), 'TOO_LARGE', /tfdt: a 64-bit field holds \d+, past 2\^53/);
    expectFmp4Error(() => parseFragment(fragment([0], [0, 0]), made), 'MALFORMED', /carries no sample of a usable track/);
  });
});

/** Container boxes, by the bytes of their own fields before the child boxes. */
const CONTAINERS: Readonly<Record<string, number>> = { moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, mvex: 0, moof: 0, traf: 0, dinf: 0, edts: 0, stsd: 8, avc1: 78, mp4a: 28 };

/** Each leaf box of a file as [its start, the starts of its ancestors]. */
function leaves(bytes: Buffer, from = 0, to = bytes.length, ancestors: number[] = []): Array<{ at: number; ancestors: number[] }> {
  const found: Array<{ at: number; ancestors: number[] }> = [];
  for (let at = from; at + 8 <= to; at += bytes.readUInt32BE(at)) {
    const type = bytes.toString('latin1', at + 4, at + 8);
    const fields = CONTAINERS[type];
    if (fields === undefined) found.push({ at, ancestors });
    else found.push(...leaves(bytes, at + 8 + fields, at + bytes.readUInt32BE(at), [...ancestors, at]));
  }
  return found;
}

/** The file with `cut` bytes taken off the end of one leaf box, every size around it kept true. */
function shrink(bytes: Buffer, leaf: { at: number; ancestors: number[] }, cut: number): Buffer {
  const end = leaf.at + bytes.readUInt32BE(leaf.at);
  const out = Buffer.concat([bytes.subarray(0, end - cut), bytes.subarray(end)]);
  for (const at of [leaf.at, ...leaf.ancestors]) out.writeUInt32BE(out.readUInt32BE(at) - cut, at);
  return out;
}

/** Whatever happens, only Fmp4Errors come out, as events or throws. */
function onlyFmp4Errors(bytes: Buffer, sizes: number[]): void {
  const { events } = split(bytes, sizes);
  for (const event of events) if ('error' in event) expect(event.error).toBeInstanceOf(Fmp4Error);
}

describe('fuzz: no exception but Fmp4Error, no hang', () => {
  it('every leaf box of the init segment and a fragment cut short, every size still true (exhaustive)', () => {
    const moofSize = stream.readUInt32BE(init.bytes.length);
    const mdatSize = stream.readUInt32BE(init.bytes.length + moofSize);
    const head = stream.subarray(0, init.bytes.length + moofSize + mdatSize);
    const boxes = leaves(head).filter((leaf) => head.toString('latin1', leaf.at + 4, leaf.at + 8) !== 'mdat');
    expect(boxes.length).toBeGreaterThan(30);
    let refused = 0;
    for (const leaf of boxes) {
      for (let cut = 1; cut <= head.readUInt32BE(leaf.at) - 8; cut++) {
        const { events } = split(shrink(head, leaf, cut));
        for (const event of events) if ('error' in event) expect(event.error).toBeInstanceOf(Fmp4Error);
        refused += events.filter((event) => 'error' in event).length;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('every full box of the init segment and a fragment with its flags set at random', () => {
    const moofSize = stream.readUInt32BE(init.bytes.length);
    const head = stream.subarray(0, init.bytes.length + moofSize + stream.readUInt32BE(init.bytes.length + moofSize));
    const full = leaves(head).filter((leaf) => ['tfhd', 'trun', 'tfdt', 'tkhd', 'mdhd', 'trex', 'esds', 'stsd', 'hdlr'].includes(head.toString('latin1', leaf.at + 4, leaf.at + 8)));
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 2 }), (which, flags, version) => {
        const leaf = full[which % full.length]!;
        const bytes = Buffer.from(head);
        bytes.writeUInt32BE(((version << 24) | flags) >>> 0, leaf.at + 8);
        onlyFmp4Errors(bytes, [bytes.length]);
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 8 }), (bytes, sizes) => onlyFmp4Errors(Buffer.from(bytes), sizes)),
      { numRuns: 500 },
    );
  });

  it('random boxes with plausible types and sizes', () => {
    const types = fc.constantFrom('ftyp', 'moov', 'moof', 'mdat', 'traf', 'free', 'mvex', 'trak');
    const anyBox = fc.tuple(types, fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -8, max: 8 })).map(([type, body, skew]) => {
      const made = box(type, Buffer.from(body));
      made.writeUInt32BE(Math.max(0, made.length + skew));
      return made;
    });
    fc.assert(fc.property(fc.array(anyBox, { maxLength: 12 }), (boxes) => onlyFmp4Errors(Buffer.concat(boxes), [17])), { numRuns: 500 });
  });

  it("ffmpeg's stream with bytes changed, removed or inserted", () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('add' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    );
    // Most of what a reader interprets is in the first few kilobytes (moov, the first moof).
    const headerBytes = Math.min(stream.length, 4096);
    fc.assert(
      fc.property(fc.array(damage, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.integer({ min: 1, max: 5000 }), (damages, nearStart, chunk) => {
        let bytes = Buffer.from(stream);
        for (const { kind, at: raw, value } of damages) {
          const at = raw % (nearStart ? headerBytes : bytes.length);
          if (kind === 'set') bytes[at] = value;
          else if (kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + value)]);
          else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at)]);
        }
        onlyFmp4Errors(bytes, [chunk]);
      }),
      { numRuns: 400 },
    );
  });
});
