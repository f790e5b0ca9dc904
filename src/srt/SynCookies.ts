import { createHmac, randomBytes } from 'node:crypto';

/** A cookie is good for the minute it was made in and the next (as libsrt's). */
const PERIOD_MS = 60_000;

/**
 * The listener's SYN cookies: a caller must echo the cookie of our induction answer in its
 * conclusion, which proves it receives at its source address. They are an HMAC of the address,
 * the port and the minute under a secret of this listener, so induction keeps no state.
 */
export class SynCookies {
  readonly #secret = randomBytes(32);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  make(address: string, port: number): number {
    return this.#cookie(address, port, Math.floor(this.#now() / PERIOD_MS));
  }

  verify(address: string, port: number, cookie: number): boolean {
    const period = Math.floor(this.#now() / PERIOD_MS);
    return cookie === this.#cookie(address, port, period) || cookie === this.#cookie(address, port, period - 1);
  }

  #cookie(address: string, port: number, period: number): number {
    return createHmac('sha256', this.#secret).update(`${address}|${port}|${period}`).digest().readUInt32BE(0);
  }
}
