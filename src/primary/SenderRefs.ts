import { hash } from 'node:crypto';
import type { ChatMessageRecord } from '../contracts/records.js';

/** How long a sender's ref is remembered: a resend later than this is a new message. */
export const REF_WINDOW_MS = 10 * 60 * 1000;
/**
 * Refs remembered at most (the oldest are forgotten first), whatever the window: about 60 MB at
 * worst (an entry keeps the message's id, time, name and a digest of its text, not the text).
 */
export const MAX_REFS = 200_000;

const SETTLED = Promise.resolve();

/** What is kept of a message that carried a ref: enough to answer a resend of it. */
export interface Remembered {
  readonly id: string;
  readonly ts: number;
  readonly name: string;
  readonly digest: string;
  /** When it was taken: the window counts from here. */
  readonly at: number;
  /** Settles when its commit does: a resend during the commit waits for it. */
  committed: Promise<void>;
}

const keyOf = (message: ChatMessageRecord): string | undefined => (message.ref === undefined ? undefined : `${message.room}\n${message.user}\n${message.ref}`);
const digestOf = (text: string): string => hash('sha256', text, 'base64url');

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

  /**
   * The first message with this one's (room, user, ref) and the same text, still within the
   * window, if any. A different text under a used ref is a new message: clients that count refs
   * from 1 on every connection reuse them, and must not have new messages taken for resends.
   */
  find(message: ChatMessageRecord, now = Date.now()): Remembered | undefined {
    const key = keyOf(message);
    if (key === undefined) return undefined;
    const found = this.#byKey.get(key);
    return found && now - found.at <= this.#windowMs && found.digest === digestOf(message.text) ? found : undefined;
  }

  /** The first message as it was stored, rebuilt from what was kept and the resend (same room, user, ref and text). */
  firstOf(remembered: Remembered, resend: ChatMessageRecord): ChatMessageRecord {
    return { ...resend, id: remembered.id, ts: remembered.ts, name: remembered.name };
  }

  remember(message: ChatMessageRecord, committed: Promise<void>, at = Date.now()): void {
    const key = keyOf(message);
    if (key === undefined) return;
    const entry: Remembered = { id: message.id, ts: message.ts, name: message.name, digest: digestOf(message.text), at, committed };
    // Once committed, the entry holds no promise of its own.
    if (committed !== SETTLED) committed.then(() => (entry.committed = SETTLED), () => undefined);
    this.#byKey.delete(key);
    this.#byKey.set(key, entry);
    this.#trim(at);
  }

  /** Remembers a message stored before (at start: the store's recent messages with refs). */
  rememberStored(message: ChatMessageRecord): void {
    this.remember(message, SETTLED, message.ts);
  }

  /** Forgets a message whose commit failed: sending it again must try again. */
  forget(message: ChatMessageRecord): void {
    const key = keyOf(message);
    if (key !== undefined && this.#byKey.get(key)?.id === message.id) this.#byKey.delete(key);
  }

  forgetRoom(room: string): void {
    const prefix = `${room}\n`;
    for (const key of this.#byKey.keys()) if (key.startsWith(prefix)) this.#byKey.delete(key);
  }

  #trim(now: number): void {
    for (const [key, remembered] of this.#byKey) {
      if (this.#byKey.size <= this.#max && now - remembered.at <= this.#windowMs) break;
      this.#byKey.delete(key);
    }
  }
}
