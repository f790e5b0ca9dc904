import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { IpcChannel, IpcError, type IpcEndpoint } from '../../src/ipc/IpcChannel.js';
import type { Envelope } from '../../src/contracts/ipc.js';

type Requests = { add: [{ a: number; b: number }, number]; fail: [Record<string, never>, never]; slow: [Record<string, never>, string] };
type Notes = { hello: { who: string } };

/** Two endpoints joined like a Node IPC pipe: messages cross asynchronously as structured clones. */
function pipePair(): [IpcEndpoint & { disconnect(): void }, IpcEndpoint] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  let open = true;
  const end = (self: EventEmitter, peer: EventEmitter) => ({
    send: (message: Envelope) => {
      if (!open) throw new Error('channel closed');
      const copy = structuredClone(message);
      setImmediate(() => peer.emit('message', copy));
    },
    onMessage: (listener: (m: unknown) => void) => (self.on('message', listener), () => self.off('message', listener)),
    onClose: (listener: () => void) => (self.on('disconnect', listener), () => self.off('disconnect', listener)),
  });
  const first = end(a, b);
  return [
    { ...first, disconnect: () => ((open = false), a.emit('disconnect'), b.emit('disconnect')) },
    end(b, a),
  ];
}

function channels() {
  const [left, right] = pipePair();
  const client = new IpcChannel<Requests, Record<string, never>, Notes, Record<string, never>>(left);
  const server = new IpcChannel<Record<string, never>, Requests, Record<string, never>, Notes>(right);
  return { client, server, disconnect: left.disconnect };
}

describe('IpcChannel', () => {
  it('matches responses to requests by id, even out of order', async () => {
    const { client, server } = channels();
    server.handle('add', async ({ a, b }) => {
      await new Promise((r) => setTimeout(r, a));
      return a + b;
    });
    const results = await Promise.all([client.request('add', { a: 30, b: 1 }), client.request('add', { a: 1, b: 1 })]);
    expect(results).toEqual([31, 2]);
  });

  it('carries handler errors and their codes back', async () => {
    const { client, server } = channels();
    server.handle('fail', () => {
      throw new IpcError('PORT_IN_USE', 'port 1 is busy');
    });
    await expect(client.request('fail', {})).rejects.toMatchObject({ name: 'IpcError', code: 'PORT_IN_USE', message: 'port 1 is busy' });
  });

  it('answers NO_HANDLER for an unknown request type', async () => {
    const { client } = channels();
    await expect(client.request('add', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'NO_HANDLER' });
  });

  it('times out a request that gets no answer', async () => {
    const { client, server } = channels();
    server.handle('slow', () => new Promise<string>(() => undefined));
    await expect(client.request('slow', {}, 50)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects pending requests when the channel closes, and refuses new ones', async () => {
    const { client, server, disconnect } = channels();
    server.handle('slow', () => new Promise<string>(() => undefined));
    const pending = client.request('slow', {});
    await new Promise((r) => setImmediate(r));
    disconnect();
    await expect(pending).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' });
    await expect(client.request('slow', {})).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' });
    expect(client.notify('hello', { who: 'x' })).toBe(false);
    expect(client.closed).toBe(true);
  });

  it('delivers notes to listeners until they unsubscribe, and ignores foreign messages', async () => {
    const [left, right] = pipePair();
    const client = new IpcChannel<Requests, Record<string, never>, Notes, Record<string, never>>(left);
    const server = new IpcChannel<Record<string, never>, Requests, Record<string, never>, Notes>(right);
    const seen: string[] = [];
    const off = server.onNote('hello', ({ who }) => seen.push(who));
    right.send({ ch: 'bogus' } as unknown as Envelope);
    client.notify('hello', { who: 'a' });
    await new Promise((r) => setImmediate(r));
    off();
    client.notify('hello', { who: 'b' });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a']);
  });
});
