import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { CLOSE, type CloseName } from '../contracts/closeCodes.js';
import type { ChatRoom } from './ChatRoom.js';
import type { UserView } from '../contracts/chatFrames.js';
import { TokenBucket } from '../kit/TokenBucket.js';
import type { WriteCoalescer } from './WriteCoalescer.js';
import { jsonFrame } from './wsFrame.js';

/** How long a client whose close frame is stuck behind a full buffer gets before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

export interface ClientLimits {
  readonly sendBufferBytes: number;
  readonly chatRate: number;
  readonly chatBurst: number;
  /** Where dropped slow consumers are counted (the worker's metrics). */
  readonly counters: { slowConsumers: number };
}

/**
 * One WebSocket connection in a room. Frames leave through the worker's WriteCoalescer as
 * pre-framed bytes written to the raw socket, so a broadcast costs one buffer for everyone.
 */
export class ChatClient {
  readonly room: ChatRoom;
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly ip: string;
  readonly connectedAt = Date.now();
  user: UserView | undefined;
  /** The `iat` (seconds) of the token this connection joined with; revocations compare it. */
  tokenIssuedAt: number | undefined;
  /** Set by the heartbeat; a socket still false at the next beat is dead. */
  alive = true;
  /** Chat messages and history pages. */
  readonly bucket: TokenBucket;
  /** Every frame, whatever its type: bounds the work a client can cause. */
  readonly frameBucket: TokenBucket;
  /** Kicks, mutes and bans; made at a moderator's first action, so other connections do not pay for it. */
  moderationBucket: TokenBucket | undefined;
  /** The last moderation action was refused for the rate (logged once per flood). */
  moderationLimited = false;
  /** The token lets this moderator ban in every room (the `globalModerator` claim). */
  globalModerator = false;
  /** A join is being checked (token verification is async): further joins wait their turn. */
  joining = false;
  lastTypingAt = 0;
  strikes = 0;
  lastStrikeAt = 0;
  floodMutes = 0;
  mutedUntil = 0;
  readonly #writer: WriteCoalescer;
  readonly #limits: ClientLimits;
  #closing = false;
  /** Why the server closed this connection, when it did. */
  closedAs: CloseName | undefined;

  constructor(room: ChatRoom, ws: WebSocket, socket: Duplex, ip: string, writer: WriteCoalescer, limits: ClientLimits) {
    this.room = room;
    this.ws = ws;
    this.socket = socket;
    this.ip = ip;
    this.#writer = writer;
    this.#limits = limits;
    this.bucket = new TokenBucket(limits.chatRate, limits.chatBurst);
    this.frameBucket = new TokenBucket(Math.max(20, limits.chatRate * 4), Math.max(40, limits.chatBurst * 4));
  }

  get open(): boolean {
    return !this.#closing && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Writes a pre-framed buffer. A client whose unsent bytes pass the bound is a slow consumer:
   * it is disconnected instead of letting its queue grow. Returns false when not written.
   */
  sendFrame(frame: Buffer): boolean {
    if (!this.open) return false;
    if (this.socket.writableLength + frame.length > this.#limits.sendBufferBytes) {
      this.#limits.counters.slowConsumers += 1;
      this.close('SLOW_CONSUMER');
      return false;
    }
    this.#writer.write(this.socket, frame);
    return true;
  }

  send(value: unknown): boolean {
    return this.sendFrame(jsonFrame(value));
  }

  /** Closes with one of the documented codes; the socket is destroyed if the close handshake stalls. */
  close(name: CloseName, reason: string = CLOSE[name].reason): void {
    if (this.#closing) return;
    this.#closing = true;
    this.closedAs = name;
    const { code } = CLOSE[name];
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason.slice(0, 120));
    // A close frame queued behind bytes the client does not read (a slow consumer) may never
    // be answered: the socket is destroyed after a grace period either way.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  get closing(): boolean {
    return this.#closing;
  }
}
