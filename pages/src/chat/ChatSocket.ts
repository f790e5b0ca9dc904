/**
 * One viewer's chat connection (docs/protocol.md): opens the room's `/chat` WebSocket only when
 * the user joins or sends (the server closes a socket that has not joined within its join
 * timeout, so one opened on page load would be gone by the time a slow viewer pressed Join),
 * reconnects with backoff after the closes that ask for it, and never after a kick, a ban or a
 * closed room. The one message in flight is kept until the server acknowledges it: it is sent
 * again after a reconnect (same `ref`, so the server never stores it twice) and after
 * `NOT_PERSISTED`.
 */
import type { ClientFrame, ErrorFrame, ServerFrame } from '../../../src/contracts/chatFrames.ts';
import { ReconnectSchedule } from '../lib/backoff.ts';
import { CLOSE_CODES, RECONNECT_CLOSES, removalText } from './plainLanguage.ts';

/** Where the connection is: `idle` (no socket; the next Join or Send opens one), `removed` (kicked, banned, room closed: no reconnect). */
export type Link = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'removed';

export interface Outgoing {
  readonly ref: string;
  readonly text: string;
}

export interface ChatSocketHandlers {
  frame(frame: ServerFrame): void;
  /** `notice`: what the status line says, in plain words. */
  link(link: Link, notice: string): void;
  /** The message in flight was acknowledged (`refusal` undefined) or refused (the server's error, or why in plain words). */
  settled(message: Outgoing, refusal?: ErrorFrame | string): void;
}

/** `NOT_PERSISTED` retries of one message before the user is asked to send it again. */
const MAX_STORE_RETRIES = 4;

export class ChatSocket {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #on: ChatSocketHandlers;
  #name: string | undefined;
  #ws: WebSocket | undefined;
  #joined = false;
  /** This user's id, from `welcome`. */
  #me: string | undefined;
  #link: Link = 'idle';
  /**
   * The studio's schedule: quick attempts first, backing off to every 8 s, and only a socket that
   * stayed joined 30 s starts them afresh. A `welcome` alone does not: a server that welcomes and
   * then closes would otherwise be reconnected to every half second forever. After minutes of
   * trouble the panel waits for the user's next action instead.
   */
  readonly #schedule = new ReconnectSchedule();
  /** Attempts in the current run of trouble (0: a first connection). */
  #reconnects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: Outgoing | null = null;
  #storeRetries = 0;
  #bannedUntil: number | null | undefined;
  /** Out of the chat: `kicked` may join again by hand; `final` (banned, room closed, refused) never. */
  #out: 'kicked' | 'final' | null = null;
  // Unique per page load: the server answers a resend of the same ref and text with the first
  // acknowledgement, so refs must never repeat for new messages (a counter alone restarts at 1).
  readonly #refPrefix = crypto.randomUUID().slice(0, 8);
  #nextRef = 1;

  constructor(url: string, token: string | undefined, handlers: ChatSocketHandlers) {
    this.#url = url;
    this.#token = token;
    this.#on = handlers;
  }

  get link(): Link {
    return this.#link;
  }

  get pending(): Outgoing | null {
    return this.#pending;
  }

  /** Kicked (may join again by hand) or out for good (banned, room closed, refused). */
  get out(): 'kicked' | 'final' | null {
    return this.#out;
  }

  /** Joins (with the token, or as `name`): on the open socket, or on a new one. */
  join(name?: string): void {
    if (this.#out === 'final') return;
    this.#out = null;
    if (name !== undefined) this.#name = name;
    if (this.#ws?.readyState === WebSocket.OPEN && !this.#joined) this.#sendJoin();
    else if (!this.#ws) this.#connect();
  }

  /** Sends a chat message, now or once (re)joined. Null when one is still in flight or the user is out. */
  sendMessage(text: string): Outgoing | null {
    if (this.#pending || this.#out !== null) return null;
    this.#pending = { ref: `${this.#refPrefix}-${this.#nextRef++}`, text };
    this.#storeRetries = 0;
    if (this.#joined) this.#transmit({ type: 'message', text, ref: this.#pending.ref });
    else this.#wake();
    return this.#pending;
  }

  /** Any other frame (typing, history, moderation); false when not joined. */
  send(frame: ClientFrame): boolean {
    if (!this.#joined) {
      this.#wake();
      return false;
    }
    return this.#transmit(frame);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#out = 'final';
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close();
  }

  /** The next action after the server closed an idle or lost socket: reconnect quietly (a joined identity only). */
  #wake(): void {
    if (this.#ws || this.#out !== null || (this.#token === undefined && this.#name === undefined)) return;
    clearTimeout(this.#timer);
    this.#connect();
  }

  #transmit(frame: ClientFrame): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  #sendJoin(): void {
    this.#transmit(this.#token !== undefined ? { type: 'join', token: this.#token } : { type: 'join', name: this.#name ?? '' });
  }

  #setLink(link: Link, notice: string): void {
    this.#link = link;
    this.#on.link(link, notice);
  }

  #connect(): void {
    this.#setLink(this.#reconnects > 0 ? 'reconnecting' : 'connecting', this.#reconnects > 0 ? 'Reconnecting…' : 'Connecting…');
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.addEventListener('open', () => ws === this.#ws && this.#sendJoin());
    ws.addEventListener('message', (event) => {
      if (ws !== this.#ws || typeof event.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      this.#onFrame(frame);
    });
    ws.addEventListener('close', (event) => {
      if (ws !== this.#ws) return;
      this.#ws = undefined;
      this.#joined = false;
      this.#onClose(event.code, event.reason);
    });
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.#joined = true;
        this.#me = frame.you.id;
        this.#schedule.live(Date.now());
        this.#reconnects = 0;
        this.#setLink('joined', `In ${frame.room} as ${frame.you.name}`);
        this.#on.frame(frame);
        // A message typed while disconnected, or unanswered when the connection dropped.
        if (this.#pending) this.#transmit({ type: 'message', text: this.#pending.text, ref: this.#pending.ref });
        return;
      case 'message':
        this.#on.frame(frame);
        if (this.#pending && frame.ref === this.#pending.ref) this.#settle();
        return;
      case 'error':
        if (frame.code === 'BANNED') this.#bannedUntil = frame.until ?? null;
        if (this.#pending && frame.ref === this.#pending.ref) {
          if (frame.code === 'NOT_PERSISTED' && this.#storeRetries < MAX_STORE_RETRIES) {
            this.#storeRetries += 1;
            const { ref, text } = this.#pending;
            this.#timer = setTimeout(() => this.#transmit({ type: 'message', text, ref }), 500 * 2 ** this.#storeRetries);
          } else this.#settle(frame);
          return;
        }
        this.#on.frame(frame);
        return;
      case 'moderation':
        if (frame.action === 'ban' && frame.user === this.#me) this.#bannedUntil = frame.until ?? null;
        this.#on.frame(frame);
        return;
      default:
        this.#on.frame(frame);
    }
  }

  #settle(refusal?: ErrorFrame): void {
    const message = this.#pending;
    if (!message) return;
    this.#pending = null;
    this.#on.settled(message, refusal);
  }

  #onClose(code: number, reason: string): void {
    const removal = removalText(code, reason, this.#bannedUntil);
    if (removal !== null) {
      // Kicked users may join again by hand; everyone else removed stays out.
      this.#out = code === CLOSE_CODES.KICKED ? 'kicked' : 'final';
      this.#setLink('removed', removal);
      const dropped = this.#pending;
      this.#pending = null;
      if (dropped) this.#on.settled(dropped, 'you are no longer in the chat');
      return;
    }
    if (code === CLOSE_CODES.JOIN_TIMEOUT) {
      // A socket left unjoined (a refused name, then a pause): the next Join opens a new one.
      this.#setLink('idle', 'Not connected');
      return;
    }
    const next = RECONNECT_CLOSES.has(code) ? this.#schedule.next(Date.now()) : null;
    if (next) {
      this.#reconnects = next.attempt;
      const wait = next.delayMs;
      this.#setLink('reconnecting', `Connection lost. Reconnecting in ${Math.max(1, Math.round(wait / 1000))} s…`);
      this.#timer = setTimeout(() => this.#ws || this.#out !== null || this.#connect(), wait);
      return;
    }
    // Any other end (a clean close, or too many failed attempts): the next action reconnects.
    this.#reconnects = 0;
    this.#schedule.reset();
    this.#setLink('idle', 'Disconnected. Sending a message or pressing Join reconnects.');
  }
}
