import type { Duplex } from 'node:stream';

/**
 * Caps the WebSocket connections (chat and ingest) one address holds in this worker, so one
 * client cannot take every socket. Counts drop when the sockets close.
 */
export class ConnectionLimiter {
  readonly #perAddress: number;
  readonly #open = new Map<string, number>();

  constructor(perAddress: number) {
    this.#perAddress = perAddress;
  }

  /** Counts the socket in, or answers false (the caller refuses it) when the address is at its cap. */
  admit(address: string, socket: Duplex): boolean {
    const open = this.#open.get(address) ?? 0;
    if (open >= this.#perAddress) return false;
    this.#open.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left <= 0) this.#open.delete(address);
      else this.#open.set(address, left);
    });
    return true;
  }
}
