/**
 * A chat sender that keeps the books on every message it sends: numeric refs, the send time,
 * and the answer (the acknowledgement with the stored id, an error code, or nothing yet). The
 * durability scenario checks the stored history against these books.
 */
import type { RawWsClient } from './rawWs.js';
import { joinChat } from './targets.js';

export interface Ack {
  readonly id: string;
  readonly text: string;
  readonly latencyMs: number;
}

/** What one sender (or several) sent and heard back. */
export class SendLedger {
  /** ref -> performance.now() at send. */
  readonly sentAt = new Map<number, number>();
  readonly acks = new Map<number, Ack>();
  /** ref -> error code (NOT_PERSISTED, RATE_LIMITED, ...). */
  readonly refusals = new Map<number, string>();

  get answered(): number {
    return this.acks.size + this.refusals.size;
  }

  /** Refs sent that have no answer (yet, or ever: in flight when the server died). */
  unanswered(): number[] {
    return [...this.sentAt.keys()].filter((ref) => !this.acks.has(ref) && !this.refusals.has(ref));
  }

  latencies(): number[] {
    return [...this.acks.values()].map((ack) => ack.latencyMs);
  }
}

/** The text of message `ref`: the ref is in the text too, because history frames do not carry refs. */
export const textOf = (ref: number): string => `durable ${ref} `.padEnd(80, '.');

/** The ref a stored text was sent with, or null for a text the bench did not write. */
export function refOfText(text: string): number | null {
  const match = /^durable (\d+) /.exec(text);
  return match ? Number(match[1]) : null;
}

interface AnswerFrame {
  readonly type: string;
  readonly ref?: unknown;
  readonly id?: string;
  readonly text?: string;
  readonly code?: string;
}

export class AckSender {
  readonly #client: RawWsClient;
  readonly #ledger: SendLedger;

  private constructor(client: RawWsClient, ledger: SendLedger) {
    this.#client = client;
    this.#ledger = ledger;
    client.onText = (text) => this.#answer(text);
  }

  static async join(roomPort: number, name: string, ledger: SendLedger): Promise<AckSender> {
    return new AckSender(await joinChat(roomPort, name), ledger);
  }

  get isOpen(): boolean {
    return this.#client.isOpen;
  }

  get closed(): Promise<void> {
    return this.#client.closed;
  }

  send(ref: number): void {
    this.#ledger.sentAt.set(ref, performance.now());
    this.#client.send(JSON.stringify({ type: 'message', text: textOf(ref), ref }));
  }

  close(): void {
    this.#client.close();
  }

  #answer(text: string): void {
    // Only the sender's own answers carry a ref; everything else (presence, welcome) is skipped unparsed.
    if (!text.includes('"ref":')) return;
    const frame = JSON.parse(text) as AnswerFrame;
    if (typeof frame.ref !== 'number') return;
    const sentAt = this.#ledger.sentAt.get(frame.ref);
    if (sentAt === undefined) return;
    if (frame.type === 'message' && frame.id !== undefined) {
      this.#ledger.acks.set(frame.ref, { id: frame.id, text: frame.text ?? '', latencyMs: performance.now() - sentAt });
    } else if (frame.type === 'error') {
      this.#ledger.refusals.set(frame.ref, frame.code ?? 'unknown');
    }
  }
}

/**
 * Sends `rate` messages per second in all, round robin over `senders`, until `durationMs` has
 * passed or `stop` resolves (or every sender's connection has closed). A 5 ms tick sends what
 * is due, so the pace holds whatever the timer's jitter. `nextRef` numbers the messages.
 */
export async function sendPaced(senders: readonly AckSender[], rate: number, durationMs: number, nextRef: () => number, stop?: Promise<unknown>): Promise<void> {
  const started = performance.now();
  let sent = 0;
  let turn = 0;
  let stopped = false;
  void stop?.then(() => (stopped = true));
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const open = senders.filter((sender) => sender.isOpen);
      if (stopped || elapsed >= durationMs || open.length === 0) {
        clearInterval(tick);
        resolve();
        return;
      }
      const due = Math.floor((rate * elapsed) / 1000) - sent;
      for (let i = 0; i < due; i++) {
        open[turn++ % open.length]!.send(nextRef());
        sent += 1;
      }
    }, 5);
  });
}
