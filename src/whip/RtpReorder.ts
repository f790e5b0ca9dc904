/** What the ingest needs of one RTP packet (werift parses the packet itself). */
export interface RtpInput {
  readonly sequence: number;
  /** RTP timestamp, 32 bits, in the track's clock rate. */
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

/** An RTP packet in sequence order; `lost` when packets before it were given up on. */
export interface OrderedRtp extends RtpInput {
  readonly lost: boolean;
}

interface Held {
  readonly packet: RtpInput;
  readonly at: number;
}

const SEQUENCE_SPAN = 0x1_0000;

/** How far `sequence` is ahead of `from`, modulo 2^16 (a value >= 2^15 means behind). */
function ahead(sequence: number, from: number): number {
  return (sequence - from + SEQUENCE_SPAN) % SEQUENCE_SPAN;
}

/**
 * Puts one track's RTP packets back in sequence order. UDP may reorder them, and a lost packet
 * the receiver NACKed comes again later; a gap is waited on for `maxWaitMs` (or until
 * `maxHeld` packets wait behind it), then skipped and the next packet is marked `lost`.
 * Duplicates and packets older than the last one given out are dropped. Pure: the caller
 * passes the arrival time.
 */
export class RtpReorder {
  readonly #maxWaitMs: number;
  readonly #maxHeld: number;
  readonly #held = new Map<number, Held>();
  #next: number | null = null;
  #lost = false;

  constructor(maxWaitMs: number, maxHeld: number) {
    this.#maxWaitMs = maxWaitMs;
    this.#maxHeld = maxHeld;
  }

  push(packet: RtpInput, now: number): OrderedRtp[] {
    const sequence = packet.sequence & 0xffff;
    this.#next ??= sequence;
    const distance = ahead(sequence, this.#next);
    if (distance >= SEQUENCE_SPAN / 2 || this.#held.has(sequence)) return [];
    this.#held.set(sequence, { packet, at: now });
    const out: OrderedRtp[] = [];
    this.#drain(out);
    while (this.#held.size > 0 && (this.#held.size > this.#maxHeld || now - this.#oldestAt() > this.#maxWaitMs)) {
      this.#next = this.#nearest();
      this.#lost = true;
      this.#drain(out);
    }
    return out;
  }

  #drain(out: OrderedRtp[]): void {
    for (let held = this.#held.get(this.#next!); held; held = this.#held.get(this.#next!)) {
      this.#held.delete(this.#next!);
      out.push({ ...held.packet, lost: this.#lost });
      this.#lost = false;
      this.#next = (this.#next! + 1) % SEQUENCE_SPAN;
    }
  }

  #oldestAt(): number {
    let oldest = Infinity;
    for (const held of this.#held.values()) oldest = Math.min(oldest, held.at);
    return oldest;
  }

  #nearest(): number {
    let nearest = 0;
    let best = Infinity;
    for (const sequence of this.#held.keys()) {
      const distance = ahead(sequence, this.#next!);
      if (distance < best) {
        best = distance;
        nearest = sequence;
      }
    }
    return nearest;
  }
}
