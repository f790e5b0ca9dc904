/** A port another program held is skipped for this long before it is tried again. */
const FOREIGN_PORT_HOLD_MS = 60_000;

/**
 * Hands out room ports from ROOM_PORTS: the lowest free one first, so a fresh server's first
 * room gets the first port (34000). Ports found busy with some other program are skipped for a
 * while instead of forever.
 */
export class PortAllocator {
  readonly #first: number;
  readonly #last: number;
  readonly #used = new Set<number>();
  readonly #foreign = new Map<number, number>();
  readonly #now: () => number;

  constructor(range: { first: number; last: number }, now: () => number = Date.now) {
    this.#first = range.first;
    this.#last = range.last;
    this.#now = now;
  }

  get size(): number {
    return this.#last - this.#first + 1;
  }

  get used(): number {
    return this.#used.size;
  }

  inRange(port: number): boolean {
    return port >= this.#first && port <= this.#last;
  }

  /** The lowest free port, now reserved; undefined when every port is taken. */
  allocate(): number | undefined {
    const now = this.#now();
    for (let port = this.#first; port <= this.#last; port++) {
      if (this.#used.has(port)) continue;
      const heldSince = this.#foreign.get(port);
      if (heldSince !== undefined) {
        if (now - heldSince < FOREIGN_PORT_HOLD_MS) continue;
        this.#foreign.delete(port);
      }
      this.#used.add(port);
      return port;
    }
    return undefined;
  }

  /** Reserves a specific port (a persisted room's). False when a room already holds it. */
  claim(port: number): boolean {
    if (this.#used.has(port)) return false;
    this.#used.add(port);
    return true;
  }

  release(port: number): void {
    this.#used.delete(port);
  }

  /** Releases the port and remembers that some other program is listening on it. */
  markForeign(port: number): void {
    this.#used.delete(port);
    this.#foreign.set(port, this.#now());
  }
}
