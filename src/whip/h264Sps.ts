/**
 * The picture size in an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), for the
 * container's track header. Pure; null for an SPS it cannot read (the caller falls back).
 */

/** High profiles carry chroma format, bit depths and scaling matrices before the size. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

class BitReader {
  readonly #data: Buffer;
  #bit = 0;

  constructor(data: Buffer) {
    this.#data = data;
  }

  bit(): number {
    const byte = this.#data[this.#bit >> 3];
    if (byte === undefined) throw new RangeError('the SPS ended early');
    const value = (byte >> (7 - (this.#bit & 7))) & 1;
    this.#bit += 1;
    return value;
  }

  bits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i += 1) value = value * 2 + this.bit();
    return value;
  }

  /** Exp-Golomb, unsigned. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      zeros += 1;
      if (zeros > 31) throw new RangeError('an Exp-Golomb code is too long');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -code / 2;
  }
}

/** The NAL payload without its emulation prevention bytes (00 00 03 -> 00 00). */
function unescape(nal: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Buffer.from(out);
}

function skipScalingList(reader: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let i = 0; i < size; i += 1) {
    if (next !== 0) next = (last + reader.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Width and height in pixels (cropping applied) of an SPS NAL unit (header byte included). */
export function spsPictureSize(sps: Buffer): { width: number; height: number } | null {
  try {
    const reader = new BitReader(unescape(sps.subarray(1)));
    const profile = reader.bits(8);
    reader.bits(16);
    reader.ue();
    let chromaFormat = 1;
    if (HIGH_PROFILES.has(profile)) {
      chromaFormat = reader.ue();
      const separatePlanes = chromaFormat === 3 ? reader.bit() : 0;
      if (separatePlanes === 1) chromaFormat = 0;
      reader.ue();
      reader.ue();
      reader.bit();
      if (reader.bit() === 1) {
        for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i += 1) if (reader.bit() === 1) skipScalingList(reader, i < 6 ? 16 : 64);
      }
    }
    reader.ue();
    const pocType = reader.ue();
    if (pocType === 0) reader.ue();
    else if (pocType === 1) {
      reader.bit();
      reader.se();
      reader.se();
      const cycle = reader.ue();
      for (let i = 0; i < cycle; i += 1) reader.se();
    }
    reader.ue();
    reader.bit();
    const widthMbs = reader.ue() + 1;
    const heightUnits = reader.ue() + 1;
    const frameMbsOnly = reader.bit();
    if (frameMbsOnly === 0) reader.bit();
    reader.bit();
    let crop = [0, 0, 0, 0];
    if (reader.bit() === 1) crop = [reader.ue(), reader.ue(), reader.ue(), reader.ue()];
    const [left, right, top, bottom] = crop as [number, number, number, number];
    const cropX = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
    const cropY = (chromaFormat === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const width = widthMbs * 16 - cropX * (left + right);
    const height = (2 - frameMbsOnly) * heightUnits * 16 - cropY * (top + bottom);
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}
