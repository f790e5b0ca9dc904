import dgram from 'node:dgram';
import type { Logger } from '../kit/createLogger.js';
import { HS_CONCLUSION, HS_INDUCTION, inductionAnswer, readHandshake, readHeader, readStreamId, rejection, CONTROL_HANDSHAKE, type Handshake } from './packet.js';
import { RelaySession, type SrtBackend } from './RelaySession.js';
import { SRT_REJECT, type SrtRejectReason } from './rejections.js';
import { SynCookies } from './SynCookies.js';

/** A caller that has proven its address (our cookie) and sent its conclusion. */
export interface SrtCaller {
  readonly streamId: string | null;
  readonly address: string;
  readonly port: number;
}

export type SrtDecision = { ok: true; backend: SrtBackend } | { ok: false; reason: SrtRejectReason; message: string };

export interface SrtListenerOptions {
  readonly port: number;
  readonly logger: Logger;
  /** Says whether the caller may publish; when it may, hands the backend to relay it to. */
  readonly authorize: (caller: SrtCaller) => Promise<SrtDecision>;
}

/** Callers whose conclusion is being decided; more are refused with BACKLOG. */
const MAX_PENDING = 4;
/** A refusal is sent again to the caller's repeated conclusions for this long, without deciding again. */
const REFUSAL_KEPT_MS = 5_000;
const MAX_REFUSALS_KEPT = 64;

type Peer =
  | { readonly kind: 'pending' }
  | { readonly kind: 'refused'; readonly answer: Buffer }
  | { readonly kind: 'relayed'; readonly session: RelaySession };

/**
 * An SRT listener on a room's UDP port that decides on each caller by its stream ID before any
 * media flows, which libsrt's own listener (ffmpeg's) cannot do. It answers inductions itself
 * (stateless SYN cookies), reads the stream ID of the conclusion, and either refuses the caller
 * with an SRT rejection or relays it to the backend `authorize` hands it (see RelaySession).
 * Datagrams from addresses it has no session for are dropped unless they are handshakes.
 */
export class SrtListener {
  readonly port: number;
  readonly #logger: Logger;
  readonly #authorize: SrtListenerOptions['authorize'];
  readonly #cookies = new SynCookies();
  readonly #peers = new Map<string, Peer>();
  readonly #started = performance.now();
  #socket: dgram.Socket | undefined;
  #closed = false;

  constructor(options: SrtListenerOptions) {
    this.port = options.port;
    this.#logger = options.logger;
    this.#authorize = options.authorize;
  }

  /** Binds the port (IPv6 with IPv4 mapped, or IPv4 where the host has no IPv6), exclusively: the cluster primary never shares it. */
  async listen(): Promise<void> {
    try {
      this.#socket = await bind('udp6', this.port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw error;
      this.#socket = await bind('udp4', this.port);
    }
    this.#socket.on('message', (packet, from) => this.#received(packet, from));
    this.#socket.on('error', (error) => this.#logger.warn({ err: error }, 'srt socket error'));
  }

  /** Ends every relayed caller (and its backend) and frees the port. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) if (peer.kind === 'relayed') peer.session.close();
    this.#peers.clear();
    const socket = this.#socket;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #received(packet: Buffer, from: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const key = `${from.address}|${from.port}`;
    const peer = this.#peers.get(key);
    if (peer?.kind === 'relayed') {
      peer.session.fromCaller(packet);
      return;
    }
    const header = readHeader(packet);
    if (header === null || !header.control || header.controlType !== CONTROL_HANDSHAKE || header.destinationId !== 0) return;
    const read = readHandshake(packet);
    if (!read.ok) return;
    const handshake = read.handshake;
    if (handshake.type === HS_INDUCTION) {
      this.#send(inductionAnswer(packet, handshake, this.#cookies.make(from.address, from.port), this.#timestamp()), from);
      return;
    }
    // Anything else without our cookie is ignored, as libsrt does: the sender never proved its address.
    if (handshake.type !== HS_CONCLUSION || !this.#cookies.verify(from.address, from.port, handshake.cookie)) return;
    if (peer?.kind === 'pending') return;
    if (peer?.kind === 'refused') {
      this.#send(peer.answer, from);
      return;
    }
    if (handshake.version !== 5) {
      this.#refuse(key, packet, handshake, from, SRT_REJECT.VERSION, 'an SRT 1.3+ caller (handshake version 5) is needed for a stream ID');
      return;
    }
    const streamId = readStreamId(handshake);
    if (!streamId.ok) {
      this.#refuse(key, packet, handshake, from, SRT_REJECT.BAD_REQUEST, streamId.reason);
      return;
    }
    if ([...this.#peers.values()].filter((other) => other.kind === 'pending').length >= MAX_PENDING) {
      this.#send(rejection(packet, handshake, SRT_REJECT.BACKLOG, this.#timestamp()), from);
      return;
    }
    this.#peers.set(key, { kind: 'pending' });
    this.#authorize({ streamId: streamId.streamId, address: from.address, port: from.port }).then(
      (decision) => this.#decided(key, packet, handshake, from, decision),
      (error: unknown) => {
        this.#logger.error({ err: error }, 'srt caller check failed');
        this.#decided(key, packet, handshake, from, { ok: false, reason: SRT_REJECT.INTERNAL, message: 'internal error' });
      },
    );
  }

  #decided(key: string, packet: Buffer, handshake: Handshake, from: dgram.RemoteInfo, decision: SrtDecision): void {
    if (this.#closed) {
      if (decision.ok) decision.backend.close();
      return;
    }
    this.#peers.delete(key);
    if (!decision.ok) {
      this.#refuse(key, packet, handshake, from, decision.reason, decision.message);
      return;
    }
    const session = new RelaySession({ address: from.address, port: from.port }, packet, handshake, decision.backend, (out) => this.#send(out, from), this.#logger);
    this.#peers.set(key, { kind: 'relayed', session });
    session.once('failed', (why) => {
      this.#logger.warn({ peer: key, why }, 'srt publisher not relayed');
      this.#peers.delete(key);
      this.#refuse(key, packet, handshake, from, SRT_REJECT.INTERNAL, why);
    });
    session.once('closed', () => {
      if (this.#peers.get(key)?.kind === 'relayed') this.#peers.delete(key);
    });
    session.open();
  }

  #refuse(key: string, packet: Buffer, handshake: Handshake, from: dgram.RemoteInfo, reason: SrtRejectReason, message: string): void {
    this.#logger.debug({ peer: key, reason, message }, 'srt caller refused');
    const answer = rejection(packet, handshake, reason, this.#timestamp());
    this.#send(answer, from);
    if (this.#peers.size >= MAX_REFUSALS_KEPT) return;
    this.#peers.set(key, { kind: 'refused', answer });
    setTimeout(() => {
      if (this.#peers.get(key)?.kind === 'refused') this.#peers.delete(key);
    }, REFUSAL_KEPT_MS).unref();
  }

  #send(packet: Buffer, to: dgram.RemoteInfo): void {
    this.#socket?.send(packet, to.port, to.address, (error) => {
      if (error) this.#logger.debug({ err: error }, 'srt send failed');
    });
  }

  /** Microseconds since the listener started, for the header of packets we make. */
  #timestamp(): number {
    return Math.floor((performance.now() - this.#started) * 1000) >>> 0;
  }
}

function bind(type: 'udp4' | 'udp6', port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type, ipv6Only: false });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
