import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { WorkerSideChannel } from '../../src/ipc/endpoints.js';
import { IpcChannel } from '../../src/ipc/IpcChannel.js';
import type { RoomActivity } from '../../src/contracts/ipc.js';
import type { ForkWorker, WorkerProcess } from '../../src/primary/WorkerProcess.js';
import { ipcPipe } from '../helpers/ipcPipe.js';

/** How the fakes behave; each hook gets the fake it runs in. */
export interface FakeBehaviour {
  /** Throw (an IpcError, as a real worker does) to refuse the room. */
  readonly open?: (room: { name: string; port: number }, worker: FakeWorker) => void;
  /** False: the fake never says `worker.ready`. */
  readonly ready?: (worker: FakeWorker) => boolean;
}

let nextPid = 10_000;

/**
 * A room worker process faked at the process boundary: the pool talks to it over an in-memory
 * IPC pipe exactly as to a forked worker, and it answers the requests a RoomWorker answers.
 */
export class FakeWorker implements WorkerProcess {
  readonly pid = nextPid++;
  readonly endpoint;
  readonly stderr = new PassThrough();
  /** The worker's side of the channel, to push notes from. */
  readonly channel: WorkerSideChannel;
  /** Rooms listening here, by name. */
  readonly rooms = new Map<string, { port: number; epoch: number }>();
  /** Requests received, in order (`room.open r1`, `worker.shutdown`, `worker.shutdown restart`...). */
  readonly requests: string[] = [];
  readonly #exit = new EventEmitter();
  readonly #pipe = ipcPipe();
  #connected = true;
  #dead = false;

  constructor(
    readonly env: Readonly<Record<string, string | undefined>>,
    behaviour: FakeBehaviour,
  ) {
    this.endpoint = this.#pipe.left;
    this.channel = new IpcChannel(this.#pipe.right);
    this.channel.handle('room.open', ({ name, port, epoch }) => {
      this.requests.push(`room.open ${name}`);
      behaviour.open?.({ name, port }, this);
      this.rooms.set(name, { port, epoch });
      return { port };
    });
    this.channel.handle('room.close', ({ name }) => {
      this.requests.push(`room.close ${name}`);
      return { closed: this.rooms.delete(name) };
    });
    this.channel.handle('worker.shutdown', ({ restart }) => {
      // A rolling restart says so: the worker suspends its live streams instead of ending them.
      this.requests.push(restart === true ? 'worker.shutdown restart' : 'worker.shutdown');
      const rooms = this.rooms.size;
      this.rooms.clear();
      return { rooms };
    });
    if (behaviour.ready?.(this) ?? true) setImmediate(() => this.channel.notify('worker.ready', { pid: this.pid }));
  }

  get slot(): number {
    return Number(this.env.CHATSERVER_WORKER_SLOT);
  }

  get connected(): boolean {
    return this.#connected;
  }

  get dead(): boolean {
    return this.#dead;
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.#exit.once('exit', listener);
  }

  /** A worker whose channel closes has nothing left to do: it exits. */
  disconnect(): void {
    this.#closeChannel();
    setImmediate(() => this.exit(0, null));
  }

  kill(signal: NodeJS.Signals): void {
    this.exit(null, signal);
  }

  /** The process ends, whether the pool asked for it or not (a crash). */
  exit(code: number | null, signal: string | null): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#closeChannel();
    setImmediate(() => this.#exit.emit('exit', code, signal));
  }

  /** Pushes the activity of its rooms, as RoomActivityReporter does. */
  report(rooms: RoomActivity[]): void {
    this.channel.notify('rooms.activity', { rooms });
  }

  #closeChannel(): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#pipe.disconnect();
  }
}

/** A fork that starts fakes; `forked` holds every one, in order. */
export function fakeFork(behaviour: FakeBehaviour = {}): { fork: ForkWorker; forked: FakeWorker[]; latest: (slot: number) => FakeWorker } {
  const forked: FakeWorker[] = [];
  return {
    fork: (env) => {
      const worker = new FakeWorker(env, behaviour);
      forked.push(worker);
      return worker;
    },
    forked,
    latest: (slot) => forked.findLast((worker) => worker.slot === slot)!,
  };
}
