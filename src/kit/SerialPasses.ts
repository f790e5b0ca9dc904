/**
 * Runs a background pass (retention, pruning) one at a time. A pass asked for while one runs
 * runs once right after it (every ask meanwhile shares that one), so a change is never missed and
 * passes never overlap. Closing refuses new passes and waits for the running one; the pass reads
 * `closed` to stop early.
 */
export class SerialPasses<T> {
  readonly #pass: () => Promise<T>;
  /** What `run` resolves with once closed. */
  readonly #idle: T;
  #running: Promise<T> | undefined;
  #queued: Promise<T> | undefined;
  #closed = false;

  constructor(pass: () => Promise<T>, idle: T) {
    this.#pass = pass;
    this.#idle = idle;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A pass now, or right after the running one; resolves with its result. */
  run(): Promise<T> {
    if (this.#closed) return Promise.resolve(this.#idle);
    if (this.#running) {
      this.#queued ??= this.#running.then(() => {
        this.#queued = undefined;
        return this.run();
      });
      return this.#queued;
    }
    this.#running = this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** No pass starts from now on; resolves once the running one is done. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
