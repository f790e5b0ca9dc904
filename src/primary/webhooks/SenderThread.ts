import { Worker } from 'node:worker_threads';
import type { Logger } from '../../kit/createLogger.js';
import type { AttemptResult, AttemptSender } from './WebhookSender.js';
import type { SenderThreadAnswer, SenderThreadRequest } from './senderThreadWire.js';
import type { WebhookTarget } from './webhookTarget.js';

/** The thread's module, beside this one (dist/primary/webhooks/ when built). */
const ENTRY = new URL('./senderThreadEntry.js', import.meta.url);
/** A thread that stopped sooner than this after its start is started again only after it. */
const RESTART_AFTER_MS = 1_000;

/**
 * Webhook HTTP in a worker thread. Every chat message waits for the primary's commit, and the
 * primary's event loop also ran each delivery's request: its connection, TLS, signing headers
 * aside, answer parsing and timers, about 40% of the primary's CPU at 1,000 events a second
 * (docs/benchmarks.md section 10). The attempts now run in this thread; the primary keeps the
 * queues, order and retries, and posts requests and reads outcomes one message a tick each way.
 *
 * If the thread dies, the attempts it held end as failures (retried on the schedule like any
 * other) and a new thread takes the next ones: nothing is lost.
 */
export class SenderThread {
  readonly #logger: Logger;
  readonly #entry: URL;
  readonly #pending = new Map<number, (result: AttemptResult) => void>();
  /** Null while a thread that stopped soon after its start waits to be started again. */
  #worker: Worker | null;
  #outgoing: SenderThreadRequest[] = [];
  #nextId = 1;
  #closed = false;

  /** `entry`: the thread's module (the built senderThreadEntry.js beside this file by default). */
  constructor(logger: Logger, entry: URL = ENTRY) {
    this.#logger = logger;
    this.#entry = entry;
    this.#worker = this.#start();
  }

  /** An endpoint's sender: `concurrency` keep-alive connections at most, in the thread. */
  sender(endpoint: string, concurrency: number, timeoutMs: number): AttemptSender {
    return {
      send: (target, headers, body) => this.#send(endpoint, concurrency, timeoutMs, target, headers, body),
      close: () => this.#post({ kind: 'close', endpoint }),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#fail('the server is shutting down');
    await this.#worker?.terminate();
  }

  #send(endpoint: string, concurrency: number, timeoutMs: number, target: WebhookTarget, headers: Readonly<Record<string, string>>, body: string): Promise<AttemptResult> {
    if (this.#closed) return Promise.resolve({ status: null, error: 'the server is shutting down' });
    if (!this.#worker) return Promise.resolve({ status: null, error: 'the sender thread is restarting' });
    const id = this.#nextId++;
    return new Promise<AttemptResult>((resolve) => {
      this.#pending.set(id, resolve);
      this.#post({ kind: 'send', id, endpoint, concurrency, timeoutMs, url: target.url.href, address: target.address, family: target.family, headers, body });
    });
  }

  #post(request: SenderThreadRequest): void {
    if (this.#closed) return;
    if (this.#outgoing.length === 0) setImmediate(() => this.#flush());
    this.#outgoing.push(request);
  }

  #flush(): void {
    const batch = this.#outgoing;
    this.#outgoing = [];
    if (batch.length > 0 && !this.#closed) this.#worker?.postMessage(batch);
  }

  #start(): Worker {
    const startedAt = performance.now();
    const worker = new Worker(this.#entry, { name: 'webhook-sender' });
    worker.on('message', (answers: readonly SenderThreadAnswer[]) => {
      for (const { id, status, error } of answers) {
        this.#pending.get(id)?.({ status, error });
        this.#pending.delete(id);
      }
    });
    worker.on('error', (error) => this.#logger.error({ err: error }, 'webhook sender thread failed'));
    worker.on('exit', (code) => {
      if (this.#closed) return;
      this.#logger.error({ code }, 'webhook sender thread stopped; its attempts are retried, a new thread sends');
      this.#fail(`the sender thread stopped (${code})`);
      this.#worker = null;
      const wait = Math.max(0, RESTART_AFTER_MS - (performance.now() - startedAt));
      setTimeout(() => !this.#closed && (this.#worker = this.#start()), wait).unref();
    });
    // The primary's exit does not wait for the thread: close() ends it at shutdown.
    worker.unref();
    return worker;
  }

  /** Ends every attempt the thread held as a failure (the queues retry them). */
  #fail(why: string): void {
    for (const resolve of this.#pending.values()) resolve({ status: null, error: why });
    this.#pending.clear();
  }
}
