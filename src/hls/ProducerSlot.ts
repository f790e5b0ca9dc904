import { ProducerRefusals, type Refusal } from './ProducerRefusals.js';

export class StreamBusyError extends Error {
  constructor(readonly producer: string) {
    super('Another producer is live in this room; stop it first');
    this.name = 'StreamBusyError';
  }
}

/** A producer whose stream a moderator or operator stopped, while it is refused. */
export class StreamRefusedError extends Error {
  constructor(
    readonly refusal: Refusal,
    now: number,
  ) {
    super(`${refusal.message}; you may stream again in ${Math.max(1, Math.ceil((refusal.until - now) / 1000))} s`);
    this.name = 'StreamRefusedError';
  }
}

/** What the slot needs to know of a producer's connection (an IngestSession in a room). */
export interface SlotHolder {
  readonly producer: string;
  /** The producer has stopped sending and its stream is finishing. */
  readonly ending: boolean;
  /** The connection has ended, one way or another. */
  readonly done: boolean;
}

/** A stream the slot holds for its dropped producer until `until`, with what its resumption needs (`kept`). */
export interface HeldStream<K> {
  readonly producer: string;
  readonly kept: K;
  readonly until: number;
}

/** What stop() stopped: a live producer (for the caller to disconnect) or a held stream (now released). */
export type StoppedProducer<H, K> = { readonly live: H } | { readonly held: HeldStream<K> };

export interface ProducerSlotOptions<K> {
  /** How long a dropped producer's stream is held for it (STREAM_RESUME_SECONDS; 0: never held). */
  readonly resumeMs: number;
  /** How long a producer whose stream was stopped is refused (STREAM_STOP_REFUSE_SECONDS). */
  readonly refuseMs: number;
  /** A held stream's producer did not come back in time: the slot is free again, the stream must end. */
  readonly onExpired: (held: HeldStream<K>) => void;
  readonly now?: () => number;
}

/**
 * The one producer slot of a room: who streams (the holder, and the `iat` of the token it
 * claimed with, for revocations), the stream held for a producer that dropped, and the producers
 * refused for a while after their stream was stopped. It decides claims; what a claim starts,
 * and ending a stream, are the owner's (LiveStream).
 */
export class ProducerSlot<H extends SlotHolder, K> {
  readonly #options: ProducerSlotOptions<K>;
  readonly #now: () => number;
  readonly #refusals: ProducerRefusals;
  #holder: H | null = null;
  #holderIssuedAt = 0;
  #held: HeldStream<K> | null = null;
  #heldTimer: NodeJS.Timeout | undefined;

  constructor(options: ProducerSlotOptions<K>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refusals = new ProducerRefusals(options.refuseMs);
  }

  /** The producer's connection that holds the slot. */
  get holder(): H | null {
    return this.#holder;
  }

  /** The stream held for a dropped producer. */
  get held(): HeldStream<K> | null {
    return this.#held;
  }

  /** The producer streaming, or the one the stream is held for. */
  get producer(): string | null {
    return this.#holder?.producer ?? this.#held?.producer ?? null;
  }

  /** Whether a dropped producer's stream is held at all (a resume wait above 0). */
  get resumes(): boolean {
    return this.#options.resumeMs > 0;
  }

  /** Whether `producer` may stream now: the slot is free, held for it, or held by its own stream that is finishing. */
  canClaim(producer: string): boolean {
    if (this.#refusals.of(producer, this.#now()) !== null) return false;
    if (this.#held !== null) return this.#held.producer === producer;
    return this.#holder === null || (this.#holder.producer === producer && this.#holder.ending);
  }

  /** The holder, when it is `producer`'s own stream finishing: a claim by the same producer waits for it. */
  finishing(producer: string): H | null {
    const holder = this.#holder;
    return holder !== null && holder.producer === producer && holder.ending ? holder : null;
  }

  /**
   * Gives the slot to `producer`, whose connection `create` makes, told the held stream it
   * resumes, if any (that stream is no longer held). Throws StreamRefusedError for a producer
   * refused after a stop and StreamBusyError when another producer streams or is waited for.
   */
  take(producer: string, tokenIssuedAt: number, create: (resumes: HeldStream<K> | null) => H): { readonly holder: H; readonly resumes: HeldStream<K> | null } {
    const now = this.#now();
    const refusal = this.#refusals.of(producer, now);
    if (refusal) throw new StreamRefusedError(refusal, now);
    if (this.#holder) throw new StreamBusyError(this.#holder.producer);
    const held = this.#held;
    if (held && held.producer !== producer) throw new StreamBusyError(held.producer);
    if (held) this.release();
    const holder = create(held);
    this.#holder = holder;
    this.#holderIssuedAt = tokenIssuedAt;
    return { holder, resumes: held };
  }

  /** `holder` is done with the slot; false when it no longer held it. */
  leave(holder: H): boolean {
    if (this.#holder !== holder) return false;
    this.#holder = null;
    return true;
  }

  /** Holds the stream for `producer` until `until` (by default the resume wait from now). */
  hold(producer: string, kept: K, until = this.#now() + this.#options.resumeMs): void {
    clearTimeout(this.#heldTimer);
    const held: HeldStream<K> = { producer, kept, until };
    this.#held = held;
    this.#heldTimer = setTimeout(() => {
      if (this.#held !== held) return;
      this.release();
      this.#options.onExpired(held);
    }, until - this.#now());
    this.#heldTimer.unref();
  }

  /** Holds `held` again for what is left of its wait; false when its wait is over. */
  holdAgain(held: HeldStream<K>): boolean {
    if (held.until <= this.#now()) return false;
    this.hold(held.producer, held.kept, held.until);
    return true;
  }

  /** Stops holding a stream: returns the one that was held. */
  release(): HeldStream<K> | null {
    const held = this.#held;
    clearTimeout(this.#heldTimer);
    this.#held = null;
    return held;
  }

  /**
   * A stop (a moderator, the admin API): the producer in the slot, live or waited for, is refused
   * for the refusal time. A held stream is released; a live holder is the caller's to disconnect.
   */
  stop(message: string): StoppedProducer<H, K> | null {
    const now = this.#now();
    const holder = this.#holder;
    if (holder && !holder.done) {
      this.#refusals.refuse(holder.producer, message, now);
      return { live: holder };
    }
    const held = this.release();
    if (!held) return null;
    this.#refusals.refuse(held.producer, message, now);
    return { held };
  }

  /** The live holder when `revoked` answers yes for its producer and its token's `iat`. */
  revokedHolder(revoked: (producer: string, tokenIssuedAt: number) => boolean): H | null {
    const holder = this.#holder;
    return holder && !holder.done && revoked(holder.producer, this.#holderIssuedAt) ? holder : null;
  }
}
