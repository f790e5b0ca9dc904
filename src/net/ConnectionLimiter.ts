import type { Duplex } from 'node:stream';

/**
 * Caps the connections one address holds (to the room ports of one worker: chat, ingest and plain
 * HTTP alike; to the primary's shared RTMP port), so one client cannot take every socket or file
 * descriptor. Sockets are counted when they connect and dropped when they close (or are handed to
 * another process: `release`), so an upgrade is never counted twice.
 */
export class ConnectionLimiter {
  readonly #perAddress: number;
  readonly #open = new Map<string, number>();
  /** The address each admitted socket was counted under. */
  readonly #addressOf = new WeakMap<Duplex, string>();
  /** One 'close' listener shared by every admitted socket (`this` is the socket), not a closure each. */
  readonly #onClose: (this: Duplex) => void;

  constructor(perAddress: number) {
    this.#perAddress = perAddress;
    const open = this.#open;
    const addressOf = this.#addressOf;
    this.#onClose = function (this: Duplex) {
      const address = addressOf.get(this);
      if (address === undefined) return;
      addressOf.delete(this);
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    };
  }

  /** Counts the socket in, or answers false (the caller refuses it) when the address is at its cap. */
  admit(address: string, socket: Duplex): boolean {
    const open = this.#open.get(address) ?? 0;
    if (open >= this.#perAddress) return false;
    this.#open.set(address, open + 1);
    this.#addressOf.set(socket, address);
    socket.on('close', this.#onClose);
    return true;
  }

  /** Stops counting a socket that leaves this process open (sent to another one): it will not close here. */
  release(socket: Duplex): void {
    socket.off('close', this.#onClose);
    this.#onClose.call(socket);
  }

  /** Whether the socket was admitted (and is counted until it closes). */
  admitted(socket: Duplex): boolean {
    return this.#addressOf.has(socket);
  }
}
