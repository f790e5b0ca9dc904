import type { ServerFrame } from '../contracts/chatFrames.js';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { CHAT_LIMITS } from './chatLimits.js';
import { closeReason } from './closeReason.js';
import { CLOSE, type CloseName } from '../contracts/closeCodes.js';
import type { Connection } from './roomPorts.js';
import type { UserView } from '../contracts/chatFrames.js';
import { TokenBucket } from '../kit/TokenBucket.js';
import type { WriteCoalescer } from './WriteCoalescer.js';
import { jsonFrame } from './wsFrame.js';

export interface ClientLimits {
  readonly sendBufferBytes: number;
  readonly chatRate: number;
  readonly chatBurst: number;
  /** Where dropped slow consumers are counted (the worker's metrics). */
  readonly counters: { slowConsumers: number };
}

/**
 * One WebSocket connection in a room: the socket, its send bound and rate buckets, and who joined
 * on it. Frames leave through the worker's WriteCoalescer as pre-framed bytes written to the raw
 * socket, so a broadcast costs one buffer for everyone. What the room's parts keep about a
 * connection (strikes, moderation buckets, join progress) they keep themselves, keyed by it.
 */
export class ChatClient implements Connection {
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly ip: string;
  user: UserView | undefined;
  tokenIssuedAt: number | undefined;
  globalModerator = false;
  /** Set by the heartbeat; a socket still false at the next beat is dead. */
  alive = true;
  readonly bucket: TokenBucket;
  /** Every frame, whatever its type: bounds the work a client can cause. */
  readonly frameBucket: TokenBucket;
  readonly #writer: WriteCoalescer;
  readonly #limits: ClientLimits;
  #closing = false;
  /** Why the server closed this connection, when it did. */
  closedAs: CloseName | undefined;

  constructor(ws: WebSocket, socket: Duplex, ip: string, writer: WriteCoalescer, limits: ClientLimits) {
    this.ws = ws;
    this.socket = socket;
    this.ip = ip;
    this.#writer = writer;
    this.#limits = limits;
    this.bucket = new TokenBucket(limits.chatRate, limits.chatBurst);
    const { frameRateFactor, minFrameRate, minFrameBurst } = CHAT_LIMITS;
    this.frameBucket = new TokenBucket(Math.max(minFrameRate, limits.chatRate * frameRateFactor), Math.max(minFrameBurst, limits.chatBurst * frameRateFactor));
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

  send(value: ServerFrame): boolean {
    return this.sendFrame(jsonFrame(value));
  }

  /** Closes with one of the documented codes; the socket is destroyed if the close handshake stalls. */
  close(name: CloseName, reason: string = CLOSE[name].reason): void {
    if (this.#closing) return;
    this.#closing = true;
    this.closedAs = name;
    const { code } = CLOSE[name];
    try {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, closeReason(reason));
    } catch {
      // Whatever ws refuses (it validates the frame), the connection still ends.
      this.ws.terminate();
    }
    // A close frame queued behind bytes the client does not read (a slow consumer) may never
    // be answered: the socket is destroyed after a grace period either way.
    setTimeout(() => this.ws.terminate(), CHAT_LIMITS.closeGraceMs).unref();
  }

  get closing(): boolean {
    return this.#closing;
  }
}
