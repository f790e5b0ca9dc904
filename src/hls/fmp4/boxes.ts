import { Fmp4Error } from './Fmp4Error.js';

/** One ISO BMFF box (ISO/IEC 14496-12 4.2) inside a buffer: `payload` is a view, not a copy. */
export interface Box {
  readonly type: string;
  /** Header and payload, in bytes. */
  readonly size: number;
  readonly payload: Buffer;
  /** Where the box starts in the buffer it was read from. */
  readonly offset: number;
  /** Where it sits, for messages: `moof/traf/trun`. */
  readonly path: string;
}

export interface BoxHeader {
  readonly type: string;
  readonly size: number;
  /** 8, or 16 with a 64-bit largesize. */
  readonly headerSize: number;
}

/**
 * The header of the box at `offset`, or undefined when the bytes so far do not hold all of it
 * (a stream reader waits for more). Sizes are checked here so no reader ever loops on a box that
 * claims fewer bytes than its own header.
 */
export function readBoxHeader(bytes: Buffer, offset: number, parent = ''): BoxHeader | undefined {
  if (bytes.length - offset < 8) return undefined;
  const type = bytes.toString('latin1', offset + 4, offset + 8);
  const where = parent ? `${parent}/${printable(type)}` : printable(type);
  if (!/^[\x20-\x7e]{4}$/.test(type)) throw new Fmp4Error('MALFORMED', `Box type ${where} is not four printable characters: not an ISO BMFF stream`);
  const short = bytes.readUInt32BE(offset);
  if (short === 0) throw new Fmp4Error('UNSUPPORTED', `Box ${where} has size 0 ("to the end of the file"), which a live stream never reaches`);
  if (short !== 1) {
    if (short < 8) throw new Fmp4Error('MALFORMED', `Box ${where} claims ${short} bytes, fewer than its 8-byte header`);
    return { type, size: short, headerSize: 8 };
  }
  if (bytes.length - offset < 16) return undefined;
  const large = bytes.readBigUInt64BE(offset + 8);
  if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fmp4Error('TOO_LARGE', `Box ${where} claims ${large} bytes`);
  const size = Number(large);
  if (size < 16) throw new Fmp4Error('MALFORMED', `Box ${where} claims ${size} bytes, fewer than its 16-byte header`);
  return { type, size, headerSize: 16 };
}

/** The boxes one after another in `bytes` (a parent's payload), each checked to fit inside it. */
export function* childBoxes(bytes: Buffer, parent: string): Generator<Box> {
  let offset = 0;
  while (offset < bytes.length) {
    const header = readBoxHeader(bytes, offset, parent);
    if (!header) throw new Fmp4Error('MALFORMED', `${parent} ends with ${bytes.length - offset} bytes that are not a whole box header`);
    const path = parent ? `${parent}/${header.type}` : header.type;
    if (header.size > bytes.length - offset) throw new Fmp4Error('MALFORMED', `Box ${path} claims ${header.size} bytes but only ${bytes.length - offset} are left in ${parent || 'the buffer'}`);
    yield { type: header.type, size: header.size, payload: bytes.subarray(offset + header.headerSize, offset + header.size), offset, path };
    offset += header.size;
  }
}

/** Every child of the given type, in order. */
export function childrenOfType(parent: Box, type: string): Box[] {
  return [...childBoxes(parent.payload, parent.path)].filter((box) => box.type === type);
}

export function findChild(parent: Box, type: string): Box | undefined {
  for (const box of childBoxes(parent.payload, parent.path)) if (box.type === type) return box;
  return undefined;
}

export function requireChild(parent: Box, type: string, why = ''): Box {
  const found = findChild(parent, type);
  if (!found) throw new Fmp4Error('MALFORMED', `${parent.path} has no ${type} box${why ? ` (${why})` : ''}`);
  return found;
}

/** A full box's version and flags, and a reader over the fields after them. */
export function fullBox(box: Box): { readonly version: number; readonly flags: number; readonly fields: FieldReader } {
  const reader = new FieldReader(box.payload, box.path);
  const version = reader.u8();
  const flags = reader.u24();
  return { version, flags, fields: reader };
}

/**
 * Reads big-endian fields in order, each read checked against the end of the box: running out
 * names the box, so a truncated or lying box is a clear Fmp4Error.
 */
export class FieldReader {
  #at = 0;

  constructor(
    readonly bytes: Buffer,
    readonly path: string,
  ) {}

  get offset(): number {
    return this.#at;
  }

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  u8(): number {
    return this.bytes.readUInt8(this.#take(1));
  }

  u16(): number {
    return this.bytes.readUInt16BE(this.#take(2));
  }

  u24(): number {
    return this.bytes.readUIntBE(this.#take(3), 3);
  }

  u32(): number {
    return this.bytes.readUInt32BE(this.#take(4));
  }

  i32(): number {
    return this.bytes.readInt32BE(this.#take(4));
  }

  /** A 64-bit unsigned field; past 2^53 a number would silently round, so that is an error. */
  u64(): number {
    const value = this.bytes.readBigUInt64BE(this.#take(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fmp4Error('TOO_LARGE', `${this.path}: a 64-bit field holds ${value}, past 2^53`);
    return Number(value);
  }

  skip(count: number): void {
    this.#take(count);
  }

  bytesOf(count: number): Buffer {
    const start = this.#take(count);
    return this.bytes.subarray(start, start + count);
  }

  /** Fails early when `count` items of `itemSize` bytes cannot fit, before a loop over them. */
  expect(count: number, itemSize: number, what: string): void {
    if (count * itemSize > this.remaining) throw new Fmp4Error('MALFORMED', `${this.path}: ${count} ${what} of ${itemSize} bytes do not fit in the ${this.remaining} bytes left`);
  }

  #take(count: number): number {
    if (count < 0 || count > this.remaining) throw new Fmp4Error('MALFORMED', `${this.path} is truncated: needs ${count} more bytes at offset ${this.#at}, has ${this.remaining}`);
    const start = this.#at;
    this.#at += count;
    return start;
  }
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : `0x${Buffer.from(type, 'latin1').toString('hex')}`;
}
