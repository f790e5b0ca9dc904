import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../kit/createLogger.js';
import type { AttemptResult, AttemptSender } from './WebhookSender.js';
import type { SenderThreadAnswer, SenderThreadRequest } from './senderThreadWire.js';
import type { WebhookTarget } from './webhookTarget.js';

/** The thread's module, beside this one (dist/primary/webhooks/ when built). */
const ENTRY = new URL('./senderThreadEntry.js', import.meta.url);
/** A thread that lived less than this counts as failing at start: the next waits longer. */
const HEALTHY_RUN_MS = 10_000;
/** Waits before starting a thread again after one that failed at start: doubling up to the max. */
const RESTART_BASE_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** An attempt unanswered this long past its own timeout means the thread is stuck: it is replaced. */
const STUCK_MARGIN_MS = 5_000;
const SWEEP_MS = 1_000;

export interface SenderThreadOptions {
  /** The thread's module (the built senderThreadEntry.js beside this file by default). */
  readonly entry?: URL;
  /** The first wait before a thread that failed at start is started again (1 s). */
  readonly restartBaseMs?: number;
}

interface PendingAttempt {
  readonly resolve: (result: AttemptResult) => void;
  /** When the primary stops waiting for the thread (epoch ms). */
  readonly giveUpAt: number;
}

/**
 * Webhook HTTP in a worker thread. Every chat message waits for the primary's commit, and the
 * primary's event loop also ran each delivery's request: its connection, TLS, signing headers
 * aside, answer parsing and timers, about 40% of the primary's CPU at 1,000 events a second
 * (docs/benchmarks.md section 10). The attempts now run in this thread; the primary keeps the
 * queues, order and retries, and posts requests and reads outcomes one message a tick each way.
 *
 * Nothing is lost if the thread fails: a thread that dies, or leaves an attempt unanswered past
 * its timeout (stuck), has the attempts it held end as failures (retried on the schedule like
 * any other) and is replaced; one that fails at start is started again after a doubling wait.
 * Emits `started` whenever a thread starts (the first one included).
 */
export class SenderThread extends EventEmitter {
  /** Threads started again after one stopped or got stuck. */
  restarts = 0;
  readonly #logger: Logger;
  readonly #entry: URL;
  readonly #restartBaseMs: number;
  /** In send order; every attempt has the same margin, so the oldest gives up first. */
  readonly #pending = new Map<number, PendingAttempt>();
  /** Null while a thread that failed at start waits to be started again. */
  #worker: Worker | null = null;
  #outgoing: SenderThreadRequest[] = [];
  #nextId = 1;
  #closed = false;
  /** Threads in a row that lived less than HEALTHY_RUN_MS. */
  #failedStarts = 0;
  readonly #sweep: NodeJS.Timeout;

  constructor(logger: Logger, options: SenderThreadOptions = {}) {
    super();
    this.#logger = logger;
    this.#entry = options.entry ?? ENTRY;
    this.#restartBaseMs = options.restartBaseMs ?? RESTART_BASE_MS;
    this.#sweep = setInterval(() => this.#giveUpStuck(), SWEEP_MS).unref();
    this.#start();
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
    clearInterval(this.#sweep);
    this.#fail('the server is shutting down');
    await this.#worker?.terminate();
  }

  #send(endpoint: string, concurrency: number, timeoutMs: number, target: WebhookTarget, headers: Readonly<Record<string, string>>, body: string): Promise<AttemptResult> {
    if (this.#closed) return Promise.resolve({ status: null, error: 'the server is shutting down' });
    if (!this.#worker) return Promise.resolve({ status: null, error: 'the sender thread is restarting' });
    const id = this.#nextId++;
    return new Promise<AttemptResult>((resolve) => {
      this.#pending.set(id, { resolve, giveUpAt: Date.now() + timeoutMs + STUCK_MARGIN_MS });
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

  #start(): void {
    const startedAt = performance.now();
    const worker = new Worker(this.#entry, { name: 'webhook-sender' });
    worker.on('message', (answers: readonly SenderThreadAnswer[]) => {
      for (const { id, status, error } of answers) {
        this.#pending.get(id)?.resolve({ status, error });
        this.#pending.delete(id);
      }
    });
    worker.on('error', (error) => this.#logger.error({ err: error }, 'webhook sender thread failed'));
    worker.on('exit', (code) => {
      if (this.#closed || this.#worker !== worker) return;
      this.#worker = null;
      this.#fail(`the sender thread stopped (${code})`);
      this.#failedStarts = performance.now() - startedAt < HEALTHY_RUN_MS ? this.#failedStarts + 1 : 0;
      const wait = this.#failedStarts === 0 ? 0 : Math.min(RESTART_MAX_MS, this.#restartBaseMs * 2 ** (this.#failedStarts - 1));
      this.#logger.error({ code, restartInMs: wait }, 'webhook sender thread stopped; its attempts are retried, a new thread sends');
      setTimeout(() => {
        if (this.#closed) return;
        this.restarts += 1;
        this.#start();
      }, wait).unref();
    });
    // The primary's exit does not wait for the thread: close() ends it at shutdown.
    worker.unref();
    this.#worker = worker;
    this.emit('started');
  }

  /** An attempt the thread left unanswered past its timeout: the thread is stuck, and replaced (its exit fails what it held). */
  #giveUpStuck(): void {
    const oldest = this.#pending.values().next().value;
    if (!oldest || oldest.giveUpAt > Date.now() || !this.#worker) return;
    this.#logger.error({ pending: this.#pending.size }, 'webhook sender thread left attempts unanswered past their timeout: replacing it');
    void this.#worker.terminate();
  }

  /** Ends every attempt the thread held as a failure (the queues retry them). */
  #fail(why: string): void {
    for (const { resolve } of this.#pending.values()) resolve({ status: null, error: why });
    this.#pending.clear();
  }
}
