import type { ChatTestClient, Frame } from './ChatTestClient.js';

/**
 * What one sender sent (numeric refs, one text per ref) and what the server answered to each:
 * its acknowledgements (the sender's own `message` copies, every one, resends included) and its
 * refusals (`error` frames with the ref). The sender's client may change (a reconnect); the
 * ledger follows every client it watches.
 */
export class SendLedger {
  readonly texts = new Map<number, string>();
  readonly acks = new Map<number, Frame[]>();
  readonly refusals = new Map<number, Frame[]>();
  #ackCount = 0;
  #answerCount = 0;
  readonly #waiters = new Set<{ count: () => number; atLeast: number; resolve: () => void }>();

  constructor(readonly textOf: (ref: number) => string) {}

  watch(client: ChatTestClient): void {
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (typeof frame.ref !== 'number') return;
      if (frame.type === 'message') {
        push(this.acks, frame.ref, frame);
        this.#ackCount += 1;
      } else if (frame.type === 'error') {
        push(this.refusals, frame.ref, frame);
      } else {
        return;
      }
      this.#answerCount += 1;
      this.#wake();
    });
  }

  send(client: ChatTestClient, ref: number): void {
    const text = this.texts.get(ref) ?? this.textOf(ref);
    this.texts.set(ref, text);
    client.send({ type: 'message', text, ref });
  }

  /** Acknowledgements received so far (resends counted again). */
  get ackCount(): number {
    return this.#ackCount;
  }

  /** Answers (acknowledgements and refusals) received so far. */
  get answerCount(): number {
    return this.#answerCount;
  }

  /** Resolves once `count` acknowledgements in all have arrived. */
  acksReach(count: number): Promise<void> {
    return this.#reach(() => this.#ackCount, count);
  }

  /** Resolves once `count` answers in all have arrived. */
  answersReach(count: number): Promise<void> {
    return this.#reach(() => this.#answerCount, count);
  }

  /** The first acknowledgement of a ref. */
  firstAck(ref: number): Frame | undefined {
    return this.acks.get(ref)?.[0];
  }

  /** Refs sent and never acknowledged (refused, or their answer never came): their fate is the store's to tell. */
  unacknowledged(): number[] {
    return [...this.texts.keys()].filter((ref) => !this.acks.has(ref));
  }

  #reach(count: () => number, atLeast: number): Promise<void> {
    if (count() >= atLeast) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ count, atLeast, resolve }));
  }

  #wake(): void {
    for (const waiter of this.#waiters) {
      if (waiter.count() >= waiter.atLeast) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

function push(map: Map<number, Frame[]>, ref: number, frame: Frame): void {
  const list = map.get(ref);
  if (list) list.push(frame);
  else map.set(ref, [frame]);
}

/**
 * Sends `perTick` new messages every `intervalMs` (refs counting up from `firstRef`) until
 * stopped: a steady sender's pace, not a synchronisation. afterNextTick() resolves right after
 * the next tick's messages were sent (before any answer to them can arrive); stop() returns the
 * next unused ref.
 */
export function pumpMessages(ledger: SendLedger, client: ChatTestClient, firstRef: number, perTick: number, intervalMs: number): { afterNextTick(): Promise<void>; stop(): number } {
  let next = firstRef;
  let tickWaiters: (() => void)[] = [];
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) ledger.send(client, next++);
    for (const resolve of tickWaiters.splice(0)) resolve();
  }, intervalMs);
  return {
    afterNextTick: () => new Promise<void>((resolve) => tickWaiters.push(resolve)),
    stop() {
      clearInterval(timer);
      tickWaiters = [];
      return next;
    },
  };
}
