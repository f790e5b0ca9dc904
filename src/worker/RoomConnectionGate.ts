import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../kit/createLogger.js';
import { limitKey } from '../net/addresses.js';
import type { ClientAddresses } from '../net/clientAddress.js';
import type { ConnectionLimiter } from '../net/ConnectionLimiter.js';

/** A connection over the per-address cap gets this long to send its request and read the 429. */
const REFUSED_LINGER_MS = 1_000;
/** Refused connections are logged at most this often (with how many), so a flood does not flood the log. */
const REFUSED_LOG_MS = 1_000;

/**
 * The per-address connection cap at one room port's door (an IPv4 address or an IPv6 /64). A
 * connection is counted when it connects; one over the cap is answered 429 at its first request.
 * A trusted proxy's connections are not counted there: they carry many clients, whose WebSocket
 * upgrades are counted by forwarded address instead.
 */
export class RoomConnectionGate {
  readonly #limiter: ConnectionLimiter;
  readonly #addresses: ClientAddresses;
  readonly #logger: Logger;
  #refusedLoggedAt = 0;
  #refusedUnlogged = 0;

  constructor(limiter: ConnectionLimiter, addresses: ClientAddresses, logger: Logger) {
    this.#limiter = limiter;
    this.#addresses = addresses;
    this.#logger = logger;
  }

  /** A new connection: counted, or refused (cut after REFUSED_LINGER_MS). */
  connected(socket: Socket): void {
    const peer = this.#addresses.peer(socket);
    if (this.#addresses.isTrustedProxy(peer)) return;
    if (this.#admit(limitKey(peer), socket)) return;
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  }

  /** Whether an HTTP request's connection was let in (false: answer 429). */
  admitsRequest(req: http.IncomingMessage): boolean {
    return this.#limiter.admitted(req.socket) || this.#addresses.isTrustedProxy(this.#addresses.peer(req.socket));
  }

  /** Whether a raw connection (RTMP) was let in, like admitsRequest for its socket. */
  admitsSocket(socket: Socket): boolean {
    return this.#limiter.admitted(socket) || this.#addresses.isTrustedProxy(this.#addresses.peer(socket));
  }

  /**
   * Whether a WebSocket upgrade may go on: its connection was let in, or it came through a
   * trusted proxy and its forwarded client (`address`) is under the cap. A socket refused when it
   * connected stays refused.
   */
  admitsUpgrade(request: http.IncomingMessage, address: string, socket: Duplex): boolean {
    if (this.#limiter.admitted(socket)) return true;
    if (!this.#addresses.isTrustedProxy(this.#addresses.peer(request.socket))) return false;
    return this.#admit(limitKey(address), socket);
  }

  /** Admits the socket under `key`, or logs the refusal (at most once a second, with how many). */
  #admit(key: string, socket: Duplex): boolean {
    if (this.#limiter.admit(key, socket)) return true;
    this.#refusedUnlogged += 1;
    if (Date.now() - this.#refusedLoggedAt >= REFUSED_LOG_MS) {
      this.#logger.warn({ address: key, refused: this.#refusedUnlogged }, 'connection refused: too many from one address');
      this.#refusedLoggedAt = Date.now();
      this.#refusedUnlogged = 0;
    }
    return false;
  }
}
