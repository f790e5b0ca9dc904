import type { Worker as ClusterWorker } from 'node:cluster';
import { Socket } from 'node:net';
import type { IpcEndpoint } from './IpcChannel.js';
import { IpcChannel } from './IpcChannel.js';
import type { PrimaryNotes, PrimaryRequests, WorkerNotes, WorkerRequests, WorkerSocketNotes } from '../contracts/ipc.js';

/** The primary's side of one worker's channel. */
export type PrimarySideChannel = IpcChannel<WorkerRequests, PrimaryRequests, WorkerNotes, PrimaryNotes, WorkerSocketNotes>;
/** A worker's side of its channel to the primary. */
export type WorkerSideChannel = IpcChannel<PrimaryRequests, WorkerRequests, PrimaryNotes, WorkerNotes, Record<string, never>, WorkerSocketNotes>;

/** The socket Node passed with a message, if it passed one (it may pass servers and other handles too). */
const asSocket = (handle: unknown): Socket | undefined => (handle instanceof Socket ? handle : undefined);

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
    sendSocket: (message, socket, done) => {
      if (!worker.isConnected()) {
        done(new Error('worker disconnected'));
        return;
      }
      // keepOpen false: once sent, Node closes the socket's handle here; the worker owns it.
      worker.send(message, socket, { keepOpen: false }, (error) => done(error ?? null));
    },
    onMessage: (listener) => {
      const onMessage = (message: unknown, handle: unknown) => listener(message, asSocket(handle));
      worker.on('message', onMessage);
      return () => worker.off('message', onMessage);
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
      const onMessage = (message: unknown, handle: unknown) => listener(message, asSocket(handle));
      proc.on('message', onMessage);
      return () => proc.off('message', onMessage);
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
