import { randomBytes } from 'node:crypto';
import { RtmpError } from './RtmpError.js';

/** C1, C2, S1 and S2 are this long (RTMP 1.0, 5.2). */
export const HANDSHAKE_SIZE = 1536;
/** Plain RTMP. 6 (RTMPE) and others are refused: we do not speak the encrypted variants. */
export const RTMP_VERSION = 3;

export interface HandshakeStep {
  /** Bytes to send to the client now (S0+S1+S2 once C0+C1 are in, else nothing). */
  readonly reply: Buffer | null;
  /** True once C2 has arrived: what follows is chunk stream data. */
  readonly done: boolean;
  /** Bytes that arrived after C2 (the client may send its first chunks with it). */
  readonly rest: Buffer;
}

/**
 * The server side of the simple handshake, fed bytes as they arrive. We answer S1 with zero
 * "version" bytes: clients (ffmpeg, OBS) then skip the Flash digest check, which only a
 * Flash Player needed. S2 echoes C1 so a client that compares them finds its own bytes.
 */
export class Handshake {
  #phase: 'c0c1' | 'c2' | 'done' = 'c0c1';
  /** Bytes of the part being waited for, so far; at most 1 + 1536 bytes. */
  #held: Buffer = Buffer.alloc(0);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** Throws RtmpError for a version other than 3; never buffers more than C0+C1. */
  push(bytes: Buffer): HandshakeStep {
    if (this.#phase === 'done') return { reply: null, done: true, rest: bytes };
    const all = this.#held.length === 0 ? bytes : Buffer.concat([this.#held, bytes]);
    if (this.#phase === 'c0c1') {
      if (all.length > 0 && all[0] !== RTMP_VERSION) {
        throw new RtmpError('HANDSHAKE_FAILED', `RTMP version ${all[0]} is not supported (only plain RTMP, version 3; no RTMPE)`);
      }
      if (all.length < 1 + HANDSHAKE_SIZE) return this.#wait(all);
      const c1 = all.subarray(1, 1 + HANDSHAKE_SIZE);
      this.#phase = 'c2';
      this.#held = Buffer.alloc(0);
      const next = this.push(Buffer.from(all.subarray(1 + HANDSHAKE_SIZE)));
      return { ...next, reply: Buffer.concat([Buffer.from([RTMP_VERSION]), this.#s1(), this.#s2(c1)]) };
    }
    if (all.length < HANDSHAKE_SIZE) return this.#wait(all);
    // C2 should echo S1; clients do not all get it right and nothing depends on it, so it is not checked.
    this.#phase = 'done';
    this.#held = Buffer.alloc(0);
    return { reply: null, done: true, rest: all.subarray(HANDSHAKE_SIZE) };
  }

  #wait(all: Buffer): HandshakeStep {
    this.#held = Buffer.from(all);
    return { reply: null, done: false, rest: Buffer.alloc(0) };
  }

  #s1(): Buffer {
    const s1 = Buffer.alloc(HANDSHAKE_SIZE);
    s1.writeUInt32BE(this.#now() >>> 0, 0);
    randomBytes(HANDSHAKE_SIZE - 8).copy(s1, 8);
    return s1;
  }

  #s2(c1: Buffer): Buffer {
    const s2 = Buffer.from(c1);
    s2.writeUInt32BE(this.#now() >>> 0, 4);
    return s2;
  }
}
