import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/contracts/ipc.js';
import { IpcChannel, type IpcEndpoint } from '../../src/ipc/IpcChannel.js';

type Sockets = { 'take.this': { id: number } };

/** Two ends in one process: a socket "sent" arrives as the same object (Node passes the handle between processes). */
function socketPipe(fail?: Error): [IpcEndpoint, IpcEndpoint] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (self: EventEmitter, peer: EventEmitter): IpcEndpoint => ({
    send: (message) => void setImmediate(() => peer.emit('message', structuredClone(message))),
    sendSocket: (message: Envelope, socket, done) => {
      if (fail) return done(fail);
      setImmediate(() => peer.emit('message', structuredClone(message), socket));
      done(null);
    },
    onMessage: (listener) => (self.on('message', listener), () => self.off('message', listener)),
    onClose: (listener) => (self.on('disconnect', listener), () => self.off('disconnect', listener)),
  });
  return [end(a, b), end(b, a)];
}

describe('IpcChannel socket notes', () => {
  it('delivers the socket with its typed note to the one listener', async () => {
    const [left, right] = socketPipe();
    const sender = new IpcChannel<Record<string, never>, Record<string, never>, Record<string, never>, Record<string, never>, Sockets>(left);
    const receiver = new IpcChannel<Record<string, never>, Record<string, never>, Record<string, never>, Record<string, never>, Record<string, never>, Sockets>(right);
    const socket = new Socket();
    const got = new Promise<[{ id: number }, Socket]>((resolve) => receiver.onSocket('take.this', (payload, s) => resolve([payload, s])));
    await sender.sendSocket('take.this', { id: 7 }, socket);
    const [payload, received] = await got;
    expect(payload).toEqual({ id: 7 });
    expect(received).toBe(socket);
  });

  it('destroys a socket nobody listens for, and one that comes with a plain note', async () => {
    const [left, right] = socketPipe();
    new IpcChannel(right);
    const unheard = new Socket();
    left.sendSocket!({ ch: 'socket', type: 'take.this', payload: {} }, unheard, () => undefined);
    const withNote = new Socket();
    left.sendSocket!({ ch: 'note', type: 'x', payload: {} }, withNote, () => undefined);
    await expect.poll(() => unheard.destroyed && withNote.destroyed).toBe(true);
  });

  it('rejects when the socket cannot leave, or the end carries no sockets', async () => {
    const [left] = socketPipe(new Error('EPIPE'));
    const sender = new IpcChannel<Record<string, never>, Record<string, never>, Record<string, never>, Record<string, never>, Sockets>(left);
    await expect(sender.sendSocket('take.this', { id: 1 }, new Socket())).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' });
    const { sendSocket: _none, ...plain } = left;
    const noSockets = new IpcChannel<Record<string, never>, Record<string, never>, Record<string, never>, Record<string, never>, Sockets>(plain);
    await expect(noSockets.sendSocket('take.this', { id: 1 }, new Socket())).rejects.toThrow(/carries no sockets/);
  });
});
