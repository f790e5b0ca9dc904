import type { Duplex } from 'node:stream';

/**
 * Coalesces writes per socket within one tick: the first write corks the socket, and one
 * nextTick uncorks every socket written to, so a burst of frames leaves as one writev per
 * socket instead of one syscall per frame. One instance per worker.
 */
export class WriteCoalescer {
  readonly #corked = new Set<Duplex>();
  #scheduled = false;
  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const socket of this.#corked) socket.uncork();
    this.#corked.clear();
  };

  write(socket: Duplex, bytes: Buffer): void {
    if (!this.#corked.has(socket)) {
      socket.cork();
      this.#corked.add(socket);
      if (!this.#scheduled) {
        this.#scheduled = true;
        process.nextTick(this.#flush);
      }
    }
    socket.write(bytes);
  }
}
