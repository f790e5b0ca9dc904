import { RtmpError } from './RtmpError.js';

/**
 * AMF0 (Action Message Format, the encoding of RTMP commands and metadata). Objects and ECMA
 * arrays decode to null-prototype records, so a key such as `__proto__` is plain data.
 */
export type Amf0Value = number | boolean | string | null | undefined | Date | Amf0Value[] | Amf0Object;
export interface Amf0Object {
  [key: string]: Amf0Value;
}

const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
} as const;

/** Commands nest two or three levels; anything deeper is an attack on the stack. */
export const MAX_DEPTH = 32;

export interface Decoded {
  readonly value: Amf0Value;
  /** Offset just past the value. */
  readonly end: number;
}

function invalid(message: string): RtmpError {
  return new RtmpError('AMF_INVALID', `AMF0: ${message}`);
}

function need(buf: Buffer, at: number, bytes: number, what: string): void {
  if (at + bytes > buf.length) throw invalid(`${what} needs ${bytes} bytes at offset ${at}, the message has ${buf.length - at}`);
}

function readString(buf: Buffer, at: number, lengthBytes: 2 | 4): { value: string; end: number } {
  need(buf, at, lengthBytes, 'a string length');
  const length = lengthBytes === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
  need(buf, at + lengthBytes, length, `a string of ${length} bytes`);
  const start = at + lengthBytes;
  return { value: buf.toString('utf8', start, start + length), end: start + length };
}

/** Reads one value at `at`; throws RtmpError (AMF_INVALID) for anything malformed or unsupported. */
export function decodeValue(buf: Buffer, at: number, depth = 0): Decoded {
  if (depth > MAX_DEPTH) throw invalid(`values nest deeper than ${MAX_DEPTH} levels`);
  need(buf, at, 1, 'a type marker');
  const marker = buf[at]!;
  const body = at + 1;
  switch (marker) {
    case MARKER.number:
      need(buf, body, 8, 'a number');
      return { value: buf.readDoubleBE(body), end: body + 8 };
    case MARKER.boolean:
      need(buf, body, 1, 'a boolean');
      return { value: buf[body] !== 0, end: body + 1 };
    case MARKER.string:
      return readString(buf, body, 2);
    case MARKER.longString:
      return readString(buf, body, 4);
    case MARKER.null:
      return { value: null, end: body };
    case MARKER.undefined:
      return { value: undefined, end: body };
    case MARKER.object:
      return readProperties(buf, body, depth);
    case MARKER.ecmaArray:
      // The count is only a hint (encoders get it wrong); the object end marker ends the array.
      need(buf, body, 4, 'an ECMA array count');
      return readProperties(buf, body + 4, depth);
    case MARKER.strictArray:
      return readStrictArray(buf, body, depth);
    case MARKER.date:
      need(buf, body, 10, 'a date');
      return { value: new Date(buf.readDoubleBE(body)), end: body + 10 };
    default:
      throw invalid(`type marker 0x${marker.toString(16).padStart(2, '0')} at offset ${at} is not supported`);
  }
}

function readProperties(buf: Buffer, at: number, depth: number): Decoded {
  const object: Amf0Object = Object.create(null) as Amf0Object;
  let cursor = at;
  for (;;) {
    const key = readString(buf, cursor, 2);
    need(buf, key.end, 1, 'a property value');
    if (key.value === '' && buf[key.end] === MARKER.objectEnd) return { value: object, end: key.end + 1 };
    const item = decodeValue(buf, key.end, depth + 1);
    object[key.value] = item.value;
    cursor = item.end;
  }
}

function readStrictArray(buf: Buffer, at: number, depth: number): Decoded {
  need(buf, at, 4, 'an array count');
  const count = buf.readUInt32BE(at);
  // Every value takes at least its marker byte: a count past that cannot be honest.
  if (count > buf.length - at - 4) throw invalid(`an array of ${count} values cannot fit in ${buf.length - at - 4} bytes`);
  const values: Amf0Value[] = [];
  let cursor = at + 4;
  for (let i = 0; i < count; i++) {
    const item = decodeValue(buf, cursor, depth + 1);
    values.push(item.value);
    cursor = item.end;
  }
  return { value: values, end: cursor };
}

/** Every value of a command or data message, in order. */
export function decodeAll(buf: Buffer): Amf0Value[] {
  const values: Amf0Value[] = [];
  let at = 0;
  while (at < buf.length) {
    const item = decodeValue(buf, at);
    values.push(item.value);
    at = item.end;
  }
  return values;
}

export function encode(...values: Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) writeValue(parts, value, 0);
  return Buffer.concat(parts);
}

function stringBytes(value: string, lengthBytes: 2 | 4): Buffer {
  const text = Buffer.from(value, 'utf8');
  const head = Buffer.alloc(lengthBytes);
  if (lengthBytes === 2) head.writeUInt16BE(text.length);
  else head.writeUInt32BE(text.length);
  return Buffer.concat([head, text]);
}

function writeValue(parts: Buffer[], value: Amf0Value, depth: number): void {
  if (depth > MAX_DEPTH) throw invalid(`values nest deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = MARKER.number;
    out.writeDoubleBE(value, 1);
    parts.push(out);
  } else if (typeof value === 'boolean') {
    parts.push(Buffer.from([MARKER.boolean, value ? 1 : 0]));
  } else if (typeof value === 'string') {
    const long = Buffer.byteLength(value, 'utf8') > 0xffff;
    parts.push(Buffer.from([long ? MARKER.longString : MARKER.string]), stringBytes(value, long ? 4 : 2));
  } else if (value === null) {
    parts.push(Buffer.from([MARKER.null]));
  } else if (value === undefined) {
    parts.push(Buffer.from([MARKER.undefined]));
  } else if (value instanceof Date) {
    const out = Buffer.alloc(11);
    out[0] = MARKER.date;
    out.writeDoubleBE(value.getTime(), 1);
    parts.push(out);
  } else if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = MARKER.strictArray;
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) writeValue(parts, item, depth + 1);
  } else {
    parts.push(Buffer.from([MARKER.object]));
    for (const [key, item] of Object.entries(value)) {
      if (Buffer.byteLength(key, 'utf8') > 0xffff) throw invalid(`an object key of more than 65535 bytes cannot be encoded`);
      parts.push(stringBytes(key, 2));
      writeValue(parts, item, depth + 1);
    }
    parts.push(Buffer.from([0, 0, MARKER.objectEnd]));
  }
}
