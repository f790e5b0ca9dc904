import { EventEmitter } from 'node:events';
import type { IpcEndpoint } from '../../src/ipc/IpcChannel.js';
import type { Envelope } from '../../src/contracts/ipc.js';

/** One direction of a pipe: while stalled, messages wait (as behind a blocked event loop). */
export interface PipeDirection {
  stall(): void;
  /** Delivers what waited, in order, and lets later messages through. */
  resume(): void;
  /** Messages waiting now. */
  readonly waiting: number;
}

/**
 * Two IPC endpoints joined like a Node IPC pipe: messages cross asynchronously as structured
 * clones, and each direction can be stalled to play a process whose event loop is blocked.
 */
export function ipcPipe(): { left: IpcEndpoint; right: IpcEndpoint; toRight: PipeDirection; toLeft: PipeDirection; disconnect(): void } {
  const a = new EventEmitter();
  const b = new EventEmitter();
  let open = true;
  const direction = (peer: EventEmitter) => {
    let stalled = false;
    const queue: Envelope[] = [];
    return {
      deliver(message: Envelope) {
        if (!open) throw new Error('channel closed');
        const copy = structuredClone(message);
        if (stalled) queue.push(copy);
        else setImmediate(() => peer.emit('message', copy));
      },
      control: {
        stall: () => void (stalled = true),
        resume: () => {
          stalled = false;
          for (const message of queue.splice(0)) setImmediate(() => peer.emit('message', message));
        },
        get waiting() {
          return queue.length;
        },
      } satisfies PipeDirection,
    };
  };
  const toRight = direction(b);
  const toLeft = direction(a);
  const end = (self: EventEmitter, out: ReturnType<typeof direction>): IpcEndpoint => ({
    send: (message) => out.deliver(message),
    onMessage: (listener) => (self.on('message', listener), () => self.off('message', listener)),
    onClose: (listener) => (self.on('disconnect', listener), () => self.off('disconnect', listener)),
  });
  return {
    left: end(a, toRight),
    right: end(b, toLeft),
    toRight: toRight.control,
    toLeft: toLeft.control,
    disconnect: () => {
      open = false;
      a.emit('disconnect');
      b.emit('disconnect');
    },
  };
}
