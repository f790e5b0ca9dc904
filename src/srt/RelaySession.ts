import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from '../kit/createLogger.js';
import { CONTROL_SHUTDOWN, HS_CONCLUSION, HS_INDUCTION, inductionRequest, readHandshake, readHeader, rewriteHandshake, shutdown, type Handshake } from './packet.js';

/** The SRT listener a relayed caller is handed to: a local ffmpeg that expects one caller. */
export interface SrtBackend {
  /** Its UDP port on 127.0.0.1. */
  readonly port: number;
  /** Stops it; safe to call twice. */
  close(): void;
  /** Resolves once it has ended (the stream is over, or it failed). */
  readonly ended: Promise<void>;
  /**
   * The caller sent an SRT shutdown (it ended its stream), told before the shutdown is relayed:
   * a backend that ends without it lost its caller (killed, network gone, the relay's idle timeout).
   */
  callerShutdown(): void;
}

const BACKEND_HOST = '127.0.0.1';
/** Induction requests to the backend go this often until it answers (it is starting). */
const OPEN_RETRY_MS = 50;
/** A backend that has not answered by then failed to start: the caller is refused. */
const OPEN_TIMEOUT_MS = 5_000;
/** A caller silent this long is gone (SRT sends keepalives every second; libsrt drops a peer after 5 s). */
const IDLE_TIMEOUT_MS = 10_000;

export interface RelaySessionEvents {
  /** The backend did not come up: refuse the caller. */
  failed: [string];
  closed: [];
}

export interface RelayPeer {
  readonly address: string;
  readonly port: number;
}

/**
 * One accepted caller, relayed to its backend. The caller did its induction with us (our
 * cookie); the backend needs its own, so the session first inducts with the backend from a
 * socket of its own, then hands it the caller's conclusion with the backend's cookie. From then
 * on datagrams pass both ways unchanged: the caller and the backend learn each other's socket
 * IDs from the conclusion exchange, and the backend sees one peer, this session's socket.
 */
export class RelaySession extends EventEmitter<RelaySessionEvents> {
  readonly peer: RelayPeer;
  readonly #toCaller: (packet: Buffer) => void;
  readonly #conclusion: Buffer;
  readonly #handshake: Handshake;
  readonly #backend: SrtBackend;
  readonly #logger: Logger;
  readonly #socket = dgram.createSocket('udp4');
  readonly #started = performance.now();
  #state: 'opening' | 'relaying' | 'closed' = 'opening';
  /** The backend's cookie, put in every conclusion the caller sends (it repeats them until answered). */
  #backendCookie = 0;
  #retry: NodeJS.Timeout | undefined;
  #openDeadline: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;

  constructor(peer: RelayPeer, conclusion: Buffer, handshake: Handshake, backend: SrtBackend, toCaller: (packet: Buffer) => void, logger: Logger) {
    super();
    this.peer = peer;
    this.#conclusion = conclusion;
    this.#handshake = handshake;
    this.#backend = backend;
    this.#toCaller = toCaller;
    this.#logger = logger;
    this.#socket.on('message', (packet, from) => this.#fromBackend(packet, from));
    this.#socket.on('error', (error) => {
      this.#logger.warn({ err: error }, 'srt relay socket error');
      this.close();
    });
    void backend.ended.then(() => {
      // Ended before it took the caller (it could not bind its port, say): the caller is refused, not left to time out.
      if (this.#state === 'opening') this.emit('failed', 'the SRT receiver ended before it took the caller');
      this.close();
    });
  }

  get relaying(): boolean {
    return this.#state === 'relaying';
  }

  /** Binds the session's socket and starts the handshake with the backend. */
  open(): void {
    this.#socket.bind({ address: BACKEND_HOST, port: 0, exclusive: true }, () => {
      if (this.#state === 'closed') return;
      // Not connect()ed: until the backend binds its port, a connected socket would get ICMP errors.
      const induct = () => this.#send(inductionRequest(this.#conclusion, this.#timestamp()));
      induct();
      this.#retry = setInterval(induct, OPEN_RETRY_MS);
    });
    this.#openDeadline = setTimeout(() => {
      if (this.#state !== 'opening') return;
      this.emit('failed', `the SRT receiver did not answer within ${OPEN_TIMEOUT_MS} ms`);
      this.close();
    }, OPEN_TIMEOUT_MS);
    this.#idle = setTimeout(() => this.close(), IDLE_TIMEOUT_MS);
  }

  /** A datagram from the caller: dropped while the backend is starting (the caller repeats its conclusion). */
  fromCaller(packet: Buffer): void {
    if (this.#state !== 'relaying') return;
    this.#idle?.refresh();
    const header = readHeader(packet);
    if (header?.control === true && header.controlType === CONTROL_SHUTDOWN) this.#backend.callerShutdown();
    if (header?.control === true && header.controlType === 0 && header.destinationId === 0) {
      // A repeated conclusion still carries our cookie: the backend checks its own.
      const handshake = readHandshake(packet);
      if (handshake.ok && handshake.handshake.type === HS_CONCLUSION) packet = rewriteHandshake(packet, { cookie: this.#backendCookie });
    }
    this.#send(packet);
  }

  /** Ends the relay and the backend; tells a connected caller with a shutdown. Safe to call twice. */
  close(): void {
    if (this.#state === 'closed') return;
    const wasRelaying = this.#state === 'relaying';
    this.#state = 'closed';
    clearInterval(this.#retry);
    clearTimeout(this.#openDeadline);
    clearTimeout(this.#idle);
    if (wasRelaying) this.#toCaller(shutdown(this.#handshake.socketId, this.#timestamp()));
    this.#socket.close();
    this.#backend.close();
    this.emit('closed');
  }

  #fromBackend(packet: Buffer, from: dgram.RemoteInfo): void {
    if (this.#state === 'closed' || from.port !== this.#backend.port || from.address !== BACKEND_HOST) return;
    if (this.#state === 'relaying') {
      this.#toCaller(packet);
      return;
    }
    const answer = readHandshake(packet);
    if (!answer.ok || answer.handshake.type !== HS_INDUCTION) return;
    this.#state = 'relaying';
    this.#backendCookie = answer.handshake.cookie;
    clearInterval(this.#retry);
    clearTimeout(this.#openDeadline);
    this.#send(rewriteHandshake(this.#conclusion, { cookie: this.#backendCookie, destinationId: 0 }));
    this.#logger.debug({ peer: `${this.peer.address}:${this.peer.port}`, backendPort: this.#backend.port }, 'srt caller relayed to its receiver');
  }

  #send(packet: Buffer): void {
    if (this.#state === 'closed') return;
    this.#socket.send(packet, this.#backend.port, BACKEND_HOST, (error) => {
      if (error) this.#logger.debug({ err: error }, 'srt relay send failed');
    });
  }

  #timestamp(): number {
    return Math.floor((performance.now() - this.#started) * 1000) >>> 0;
  }
}
