import type { ChatTestClient } from './ChatTestClient.js';

export interface ProbeResult {
  /** Pings answered. */
  readonly answered: number;
  /** The slowest answer, or the age of the oldest ping still unanswered when the probe stopped. */
  readonly worstMs: number;
}

/**
 * Measures how responsive a worker is: a chat client pings every `everyMs` (under the chat frame
 * rate limit) and the probe records the round trips. A blocked event loop shows as a slow answer,
 * or as pings still unanswered when the probe stops.
 */
export class PingProbe {
  readonly #client: ChatTestClient;
  readonly #sentAt = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  readonly #onMessage: (data: Buffer) => void;
  #answered = 0;
  #worstMs = 0;
  #next = 0;

  constructor(client: ChatTestClient, everyMs = 100) {
    this.#client = client;
    this.#onMessage = (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; ref?: string };
      if (frame.type !== 'pong' || typeof frame.ref !== 'string') return;
      const sentAt = this.#sentAt.get(frame.ref);
      if (sentAt === undefined) return;
      this.#sentAt.delete(frame.ref);
      this.#answered += 1;
      this.#worstMs = Math.max(this.#worstMs, performance.now() - sentAt);
    };
    client.ws.on('message', this.#onMessage);
    this.#timer = setInterval(() => this.#ping(), everyMs);
    this.#ping();
  }

  stop(): ProbeResult {
    clearInterval(this.#timer);
    this.#client.ws.off('message', this.#onMessage);
    const now = performance.now();
    for (const sentAt of this.#sentAt.values()) this.#worstMs = Math.max(this.#worstMs, now - sentAt);
    return { answered: this.#answered, worstMs: Math.round(this.#worstMs) };
  }

  #ping(): void {
    const ref = `probe-${this.#next++}`;
    this.#sentAt.set(ref, performance.now());
    this.#client.send({ type: 'ping', ref });
  }
}
