import type { OrderedRtp } from './RtpReorder.js';

/** One H.264 picture: its NAL units (no start codes) and the RTP timestamp they share. */
export interface AccessUnit {
  readonly timestamp: number;
  readonly nalUnits: readonly Buffer[];
  /** It holds an IDR slice: decoding can start here, and ffmpeg can cut a segment here. */
  readonly keyframe: boolean;
}

export const NAL_IDR = 5;
export const NAL_SPS = 7;
export const NAL_PPS = 8;
const STAP_A = 24;
const FU_A = 28;
/** A picture larger than this is not a camera's: it is dropped, not held. */
const MAX_ACCESS_UNIT_BYTES = 8 * 1024 * 1024;

export function nalType(nal: Buffer): number {
  return nal[0]! & 0x1f;
}

/**
 * RFC 6184 packetization mode 1 (single NAL units, STAP-A, FU-A) back into access units, from
 * packets in sequence order (RtpReorder). A picture ends at the marker bit, or where the
 * timestamp changes (a lost marker). A picture with a packet missing would decode broken, as
 * would every picture after it that refers to it: from a loss (or malformed payload) on, pictures
 * are dropped until the next keyframe, and `onBroken` asks the sender for one. The first picture
 * given out is a keyframe. Never throws on bad input.
 */
export class H264Depacketizer {
  readonly #onBroken: () => void;
  #nalUnits: Buffer[] = [];
  #bytes = 0;
  #timestamp: number | null = null;
  /** FU-A pieces of the NAL unit being reassembled. */
  #fragments: Buffer[] | null = null;
  /** The picture being assembled lost a piece. */
  #damaged = false;
  #waitingForKeyframe = true;

  constructor(onBroken: () => void) {
    this.#onBroken = onBroken;
  }

  /** Takes the next packet; returns the pictures it completed (none, one, or two on a lost marker). */
  push(packet: OrderedRtp): AccessUnit[] {
    const done: AccessUnit[] = [];
    // Padding only (bandwidth probes on the media SSRC): no media, but it may follow a loss.
    if (packet.payload.length === 0) {
      if (packet.lost) this.#damage();
      return done;
    }
    if (this.#timestamp !== null && packet.timestamp !== this.#timestamp) this.#finish(done);
    if (packet.lost) this.#damage();
    this.#timestamp = packet.timestamp;
    this.#read(packet.payload);
    if (packet.marker) this.#finish(done);
    return done;
  }

  #read(payload: Buffer): void {
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type < STAP_A) {
      this.#fragments = null;
      return this.#add(payload);
    }
    if (type === STAP_A) return this.#readStapA(payload);
    if (type === FU_A) return this.#readFuA(payload);
    // STAP-B, MTAP and FU-B belong to the interleaved mode, which is not negotiated.
    this.#damage();
  }

  #readStapA(payload: Buffer): void {
    for (let at = 1; at < payload.length; ) {
      if (at + 2 > payload.length) return this.#damage();
      const size = payload.readUInt16BE(at);
      at += 2;
      if (size === 0 || at + size > payload.length) return this.#damage();
      this.#add(payload.subarray(at, at + size));
      at += size;
    }
  }

  #readFuA(payload: Buffer): void {
    if (payload.length < 3) return this.#damage();
    const header = payload[1]!;
    const start = (header & 0x80) !== 0;
    const end = (header & 0x40) !== 0;
    if (start) this.#fragments = [Buffer.from([(payload[0]! & 0xe0) | (header & 0x1f)])];
    else if (this.#fragments === null) return this.#damage();
    // A copy: the packet's buffer is werift's.
    this.#fragments.push(Buffer.from(payload.subarray(2)));
    this.#bytes += payload.length - 2;
    if (this.#bytes > MAX_ACCESS_UNIT_BYTES) return this.#damage();
    if (!end) return;
    this.#nalUnits.push(Buffer.concat(this.#fragments));
    this.#fragments = null;
  }

  #add(nal: Buffer): void {
    this.#bytes += nal.length;
    if (this.#bytes > MAX_ACCESS_UNIT_BYTES) return this.#damage();
    // A copy: the packet's buffer is werift's.
    this.#nalUnits.push(Buffer.from(nal));
  }

  #damage(): void {
    this.#damaged = true;
  }

  #finish(done: AccessUnit[]): void {
    const nalUnits = this.#nalUnits;
    const timestamp = this.#timestamp!;
    const damaged = this.#damaged || this.#fragments !== null;
    this.#nalUnits = [];
    this.#bytes = 0;
    this.#fragments = null;
    this.#damaged = false;
    this.#timestamp = null;
    if (damaged) {
      if (!this.#waitingForKeyframe) this.#onBroken();
      this.#waitingForKeyframe = true;
      return;
    }
    if (nalUnits.length === 0) return;
    const keyframe = nalUnits.some((nal) => nalType(nal) === NAL_IDR);
    if (this.#waitingForKeyframe && !keyframe) return;
    this.#waitingForKeyframe = false;
    done.push({ timestamp, nalUnits, keyframe });
  }
}
