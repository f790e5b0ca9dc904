import cluster from 'node:cluster';
import type { Readable } from 'node:stream';
import type { IpcEndpoint } from '../ipc/IpcChannel.js';
import { clusterWorkerEndpoint } from '../ipc/endpoints.js';

/**
 * A forked room worker as the pool drives it: the process boundary, and all the pool knows of
 * node:cluster (tests fork fakes that answer over an in-memory pipe).
 */
export interface WorkerProcess {
  readonly pid: number | undefined;
  /** Its IPC channel's end in this process. */
  readonly endpoint: IpcEndpoint;
  /** Its stderr (crash traces, native warnings), when piped. */
  readonly stderr: Readable | null;
  readonly connected: boolean;
  readonly dead: boolean;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Closes the IPC channel: a worker that has closed its rooms then exits by itself. */
  disconnect(): void;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts a worker with these changes to the primary's environment (a value adds or replaces a
 * variable, `undefined` removes it).
 */
export type ForkWorker = (env: Readonly<Record<string, string | undefined>>) => WorkerProcess;

/** Forks with node:cluster, each worker running this same entry point (main.ts). */
export function clusterFork(): ForkWorker {
  // Workers write their own JSON log lines to the shared stdout; stderr (crash traces,
  // native warnings) is piped to the pool so it reaches the log as structured lines too.
  cluster.setupPrimary({ stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  return (env) => {
    const worker = cluster.fork(env);
    return {
      pid: worker.process.pid,
      endpoint: clusterWorkerEndpoint(worker),
      stderr: worker.process.stderr,
      get connected() {
        return worker.isConnected();
      },
      get dead() {
        return worker.isDead();
      },
      onExit: (listener) => void worker.once('exit', listener),
      disconnect: () => worker.disconnect(),
      kill: (signal) => void worker.process.kill(signal),
    };
  };
}
