import type { Worker as ClusterWorker } from 'node:cluster';
import type { IpcEndpoint } from './IpcChannel.js';
import { IpcChannel } from './IpcChannel.js';
import type { PrimaryNotes, PrimaryRequests, WorkerNotes, WorkerRequests } from '../contracts/ipc.js';

/** The primary's side of one worker's channel. */
export type PrimarySideChannel = IpcChannel<WorkerRequests, PrimaryRequests, WorkerNotes, PrimaryNotes>;
/** A worker's side of its channel to the primary. */
export type WorkerSideChannel = IpcChannel<PrimaryRequests, WorkerRequests, PrimaryNotes, WorkerNotes>;

const ignoreLateSendFailure = (): void => undefined;

export function clusterWorkerEndpoint(worker: ClusterWorker): IpcEndpoint {
  return {
    send: (message) => {
      if (!worker.isConnected()) throw new Error('worker disconnected');
      // A worker that has just died fails the write a moment later (EPIPE). Without a callback
      // that failure is an 'error' event nobody listens to, which ends the primary; the worker's
      // exit follows and is handled (its channel closes, its pending requests fail).
      worker.send(message, ignoreLateSendFailure);
    },
    onMessage: (listener) => {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
    onClose: (listener) => {
      worker.on('disconnect', listener);
      return () => worker.off('disconnect', listener);
    },
  };
}

export function processEndpoint(proc: NodeJS.Process = process): IpcEndpoint {
  return {
    send: (message) => {
      if (!proc.send || !proc.connected) throw new Error('no IPC channel to the primary');
      proc.send(message);
    },
    onMessage: (listener) => {
      proc.on('message', listener);
      return () => proc.off('message', listener);
    },
    onClose: (listener) => {
      proc.on('disconnect', listener);
      return () => proc.off('disconnect', listener);
    },
  };
}

export function workerSideChannel(): WorkerSideChannel {
  return new IpcChannel(processEndpoint());
}
