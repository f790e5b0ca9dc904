import type { ChatMessageRecord } from '../store/records.js';

/** How long a sender's ref is remembered: a resend later than this is a new message. */
export const REF_WINDOW_MS = 10 * 60 * 1000;
/** Refs remembered at most (the oldest are forgotten first), whatever the window. */
export const MAX_REFS = 200_000;

interface Remembered {
  readonly record: ChatMessageRecord;
  /** Settles when the record's commit does: a resend during the commit waits for it. */
  readonly committed: Promise<void>;
  readonly at: number;
}

const keyOf = (message: ChatMessageRecord): string | undefined => (message.ref === undefined ? undefined : `${message.room}\n${message.user}\n${message.ref}`);

/**
 * The messages that carried a sender's `ref`, by (room, user, ref), for a bounded window: a
 * message sent again with the same ref and text (the client never got its acknowledgement, or
 * sent it twice) is answered with the first one instead of being stored a second time.
 */
export class SenderRefs {
  /** In insertion order, which is time order: the oldest are at the front. */
  readonly #byKey = new Map<string, Remembered>();
  readonly #windowMs: number;
  readonly #max: number;

  constructor(windowMs = REF_WINDOW_MS, max = MAX_REFS) {
    this.#windowMs = windowMs;
    this.#max = max;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /**
   * The first message with this one's (room, user, ref) and the same text, still within the
   * window, if any. A different text under a used ref is a new message: clients that count refs
   * from 1 on every connection reuse them, and must not have new messages taken for resends.
   */
  find(message: ChatMessageRecord, now = Date.now()): Remembered | undefined {
    const key = keyOf(message);
    if (key === undefined) return undefined;
    const found = this.#byKey.get(key);
    return found && found.record.text === message.text && now - found.at <= this.#windowMs ? found : undefined;
  }

  remember(message: ChatMessageRecord, committed: Promise<void>, at = Date.now()): void {
    const key = keyOf(message);
    if (key === undefined) return;
    this.#byKey.delete(key);
    this.#byKey.set(key, { record: message, committed, at });
    this.#trim(at);
  }

  /** Forgets a message whose commit failed: sending it again must try again. */
  forget(message: ChatMessageRecord): void {
    const key = keyOf(message);
    if (key !== undefined && this.#byKey.get(key)?.record === message) this.#byKey.delete(key);
  }

  forgetRoom(room: string): void {
    for (const [key, remembered] of this.#byKey) if (remembered.record.room === room) this.#byKey.delete(key);
  }

  #trim(now: number): void {
    for (const [key, remembered] of this.#byKey) {
      if (this.#byKey.size <= this.#max && now - remembered.at <= this.#windowMs) break;
      this.#byKey.delete(key);
    }
  }
}
