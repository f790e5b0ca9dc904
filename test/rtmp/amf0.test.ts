import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll, encode, MAX_DEPTH, type Amf0Value } from '../../src/rtmp/amf0.js';
import { RtmpError } from '../../src/rtmp/RtmpError.js';

const { value: amfValue } = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 10 }), tie('value'), { maxKeys: 5 }),
  ),
}));

function rejectsCleanly(bytes: Uint8Array): void {
  try {
    decodeAll(Buffer.from(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(RtmpError);
  }
}

describe('AMF0', () => {
  it('encodes a connect command as Flash does', () => {
    const bytes = encode('connect', 1, { app: 'live' });
    expect(bytes.toString('hex')).toBe(
      '020007' + Buffer.from('connect').toString('hex') + '003ff0000000000000' + '03' + '0003617070' + '020004' + '6c697665' + '000009',
    );
    expect(decodeAll(bytes)).toEqual(['connect', 1, { app: 'live' }]);
  });

  it('round-trips a long string, a date and an ECMA array', () => {
    const long = 'x'.repeat(70_000);
    expect(encode(long)[0]).toBe(0x0c);
    expect(decodeAll(encode(long, new Date(1234)))).toEqual([long, new Date(1234)]);
    // ECMA array ["duration": 0] with a wrong count: the end marker decides.
    const ecma = Buffer.from('08000000070008' + Buffer.from('duration').toString('hex') + '000000000000000000' + '000009', 'hex');
    expect(decodeAll(ecma)).toEqual([{ duration: 0 }]);
  });

  it('keeps __proto__ as plain data', () => {
    const bytes = Buffer.concat([Buffer.from([3, 0, 9]), Buffer.from('__proto__'), encode({ polluted: true }), Buffer.from([0, 0, 9])]);
    const [object] = decodeAll(bytes) as [Record<string, Amf0Value>];
    expect(Object.keys(object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['a string longer than the message', '0200ff6162'],
    ['a long string longer than the message', '0c7fffffff00'],
    ['a truncated number', '00000000'],
    ['an array count past the bytes', '0a7fffffff05'],
    ['an object without its end', '0300016105'],
    ['an unsupported marker (AMF3 switch)', '11'],
    ['a reference', '070001'],
  ])('refuses %s', (_what, hex) => {
    expect(() => decodeAll(Buffer.from(hex, 'hex'))).toThrow(RtmpError);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH}`, () => {
    // Arrays of one array, 200 deep, then a null.
    const deep = Buffer.from([...Array.from({ length: 200 }, () => [0x0a, 0, 0, 0, 1]).flat(), 5]);
    expect(() => decodeAll(deep)).toThrow(/deeper/);
  });

  it('round-trips any value (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(amfValue, { maxLength: 4 }), (values) => {
        expect(decodeAll(encode(...values))).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('throws only RtmpError on random, truncated or mutated bytes (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), rejectsCleanly), { numRuns: 500 });
    fc.assert(
      fc.property(amfValue, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (value, cut, at, byte) => {
        const bytes = encode(value);
        rejectsCleanly(bytes.subarray(0, cut % (bytes.length + 1)));
        const mutated = Buffer.from(bytes);
        mutated[at % mutated.length] = byte;
        rejectsCleanly(mutated);
      }),
      { numRuns: 500 },
    );
  });
});
