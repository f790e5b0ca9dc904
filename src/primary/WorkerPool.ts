import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../kit/createLogger.js';
import type { PrimarySideChannel } from '../ipc/endpoints.js';
import { IpcChannel } from '../ipc/IpcChannel.js';
import type { WorkerNotes } from '../contracts/ipc.js';
import { CRASH_LOOP_WINDOW_MS, restartDelay } from './restartDelay.js';
import { clusterFork, type ForkWorker, type WorkerProcess } from './WorkerProcess.js';

/** How long a worker may take from fork to its `worker.ready` note. */
const READY_TIMEOUT_MS = 15_000;
/** How long a worker gets to close its rooms at shutdown before it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/**
 * A worker replaced by a rolling restart waits for its streams' ffmpeg to finish (up to 10 s,
 * `finishTimeoutMs`) before it writes the notes the next worker takes them over with: it gets
 * that long and a margin before it is cut off.
 */
const RESTART_STOP_TIMEOUT_MS = 15_000;

export type SlotState = 'starting' | 'ready' | 'dead' | 'stopped';

/** One place in the pool; the process in it changes when a worker is replaced. */
export interface WorkerSlot {
  readonly index: number;
  state: SlotState;
  pid: number | undefined;
  channel: PrimarySideChannel | undefined;
  restarts: number;
  quickCrashes: number;
  startedAt: number;
}

interface PoolEvents {
  /** A worker in this slot has started and takes requests (at start and after a replacement). */
  ready: [slot: WorkerSlot];
  /** The worker in this slot died unexpectedly. */
  died: [slot: WorkerSlot, code: number | null, signal: string | null];
}

export interface WorkerPoolOptions {
  readonly size: number;
  readonly logger: Logger;
  /**
   * Changes to the primary's environment for every worker: a value adds or replaces a variable,
   * `undefined` removes it (secrets a worker must not hold).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Installs request handlers on a new worker's channel before it is used. */
  readonly setupChannel: (channel: PrimarySideChannel, slot: WorkerSlot) => void;
  /** How workers are started: node:cluster unless a test forks fakes. */
  readonly fork?: ForkWorker;
}

/**
 * Forks and supervises the room workers: replaces one that dies (with backoff when it keeps
 * dying), pipes their stderr into the logger, and stops them in order at shutdown.
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly slots: WorkerSlot[];
  readonly #options: WorkerPoolOptions;
  readonly #logger: Logger;
  readonly #forkProcess: ForkWorker;
  readonly #workers = new Map<number, WorkerProcess>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopping = false;
  /** Slots whose worker is being replaced on purpose: no crash count, no backoff. */
  readonly #planned = new Set<number>();

  constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger;
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      state: 'dead' as SlotState,
      pid: undefined,
      channel: undefined,
      restarts: 0,
      quickCrashes: 0,
      startedAt: 0,
    }));
    this.#forkProcess = options.fork ?? clusterFork();
  }

  /** Forks every worker and resolves when all of them are ready. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.#fork(slot)));
  }

  readySlots(): WorkerSlot[] {
    return this.slots.filter((slot) => slot.state === 'ready');
  }

  /** Sends a note to every ready worker. */
  broadcast<T extends keyof WorkerNotes & string>(type: T, payload: WorkerNotes[T]): void {
    for (const slot of this.readySlots()) slot.channel?.notify(type, payload);
  }

  /**
   * Replaces one worker on purpose (rolling restart): it closes its rooms (clients get 1001 and
   * reconnect), exits, and a new worker takes the slot at once, without crash backoff.
   * Resolves when the new worker is ready.
   */
  async restart(index: number, reason: string): Promise<void> {
    const slot = this.slots[index];
    const worker = this.#workers.get(index);
    if (!slot || !worker || worker.dead || this.#stopping) throw new Error(`worker ${index} is not running`);
    this.#planned.add(index);
    const ready = new Promise<void>((resolve) => {
      const onReady = (readySlot: WorkerSlot) => {
        if (readySlot.index !== index) return;
        this.off('ready', onReady);
        resolve();
      };
      this.on('ready', onReady);
    });
    await this.#retire(slot, worker, reason, true);
    await ready;
  }

  /** Asks a worker to close its rooms (`restart`: suspending their live streams for the next worker), then lets it exit; kills it when it hangs. */
  async #retire(slot: WorkerSlot, worker: WorkerProcess, reason: string, restart = false): Promise<void> {
    const exited = new Promise<void>((resolve) => worker.onExit(() => resolve()));
    const timeoutMs = restart ? RESTART_STOP_TIMEOUT_MS : STOP_TIMEOUT_MS;
    try {
      await slot.channel?.request('worker.shutdown', { reason, restart }, timeoutMs);
    } catch (error) {
      this.#logger.warn({ err: error, worker: slot.index }, 'worker did not confirm shutdown');
    }
    const kill = setTimeout(() => worker.kill('SIGKILL'), timeoutMs);
    if (worker.connected) worker.disconnect();
    await exited;
    clearTimeout(kill);
  }

  /** Asks each worker to close its rooms, then lets it exit; kills the ones that hang. */
  async stop(reason: string): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = this.#workers.get(slot.index);
        slot.state = 'stopped';
        if (!worker || worker.dead) return;
        await this.#retire(slot, worker, reason);
      }),
    );
  }

  #fork(slot: WorkerSlot): Promise<void> {
    slot.state = 'starting';
    slot.startedAt = Date.now();
    const worker = this.#forkProcess({ ...this.#options.env, CHATSERVER_WORKER_SLOT: String(slot.index) });
    this.#workers.set(slot.index, worker);
    slot.pid = worker.pid;
    const channel: PrimarySideChannel = new IpcChannel(worker.endpoint);
    slot.channel = channel;
    this.#options.setupChannel(channel, slot);
    this.#pipeStderr(worker, slot);

    return new Promise<void>((resolve) => {
      const readyTimer = setTimeout(() => {
        this.#logger.error({ worker: slot.index, pid: slot.pid }, 'worker did not become ready in time; killing it');
        worker.kill('SIGKILL');
      }, READY_TIMEOUT_MS);
      const offReady = channel.onNote('worker.ready', () => {
        offReady();
        clearTimeout(readyTimer);
        slot.state = 'ready';
        this.#logger.info({ worker: slot.index, pid: slot.pid, restarts: slot.restarts }, 'worker ready');
        this.emit('ready', slot);
        resolve();
      });
      worker.onExit((code, signal) => {
        clearTimeout(readyTimer);
        channel.close();
        this.#workers.delete(slot.index);
        resolve();
        this.#onExit(slot, code, signal);
      });
    });
  }

  #onExit(slot: WorkerSlot, code: number | null, signal: string | null): void {
    if (this.#stopping) {
      slot.state = 'stopped';
      return;
    }
    slot.state = 'dead';
    slot.channel = undefined;
    if (this.#planned.delete(slot.index)) {
      this.#logger.info({ worker: slot.index, pid: slot.pid }, 'worker retired; starting its replacement');
      this.emit('died', slot, code, signal);
      void this.#fork(slot);
      return;
    }
    const livedMs = Date.now() - slot.startedAt;
    slot.quickCrashes = livedMs < CRASH_LOOP_WINDOW_MS ? slot.quickCrashes + 1 : 1;
    const delay = restartDelay(slot.quickCrashes);
    this.#logger.error({ worker: slot.index, pid: slot.pid, code, signal, livedMs, restartInMs: delay }, 'worker died; replacing it');
    this.emit('died', slot, code, signal);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopping) return;
      slot.restarts += 1;
      void this.#fork(slot);
    }, delay);
    this.#timers.add(timer);
  }

  #pipeStderr(worker: WorkerProcess, slot: WorkerSlot): void {
    const stderr = worker.stderr;
    if (!stderr) return;
    const lines = createInterface({ input: stderr, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim()) this.#logger.warn({ worker: slot.index, pid: worker.pid, stream: 'stderr' }, line);
    });
  }
}
