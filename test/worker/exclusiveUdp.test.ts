import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exclusiveArgs, makeUdpBindsExclusive } from '../../src/worker/exclusiveUdp.js';

describe('exclusive UDP binds in a worker', () => {
  const callback = () => undefined;

  it('adds exclusive to every form of bind, and keeps a choice the caller made', () => {
    expect(exclusiveArgs([{ port: 40000, address: '0.0.0.0' }])).toEqual([{ port: 40000, address: '0.0.0.0', exclusive: true }]);
    expect(exclusiveArgs([{ port: 0 }, callback])).toEqual([{ port: 0, exclusive: true }, callback]);
    expect(exclusiveArgs([{ port: 5, exclusive: false }])).toEqual([{ port: 5, exclusive: false }]);
    expect(exclusiveArgs([7000, '127.0.0.1', callback])).toEqual([{ port: 7000, address: '127.0.0.1', exclusive: true }, callback]);
    expect(exclusiveArgs([7000, callback])).toEqual([{ port: 7000, exclusive: true }, callback]);
    expect(exclusiveArgs([callback])).toEqual([{ exclusive: true }, callback]);
    expect(exclusiveArgs([])).toEqual([{ exclusive: true }]);
  });

  it('still binds as asked once installed (twice is harmless)', async () => {
    makeUdpBindsExclusive();
    makeUdpBindsExclusive();
    const socket = dgram.createSocket('udp4');
    socket.bind({ address: '127.0.0.1', port: 0 });
    await once(socket, 'listening');
    expect(socket.address().port).toBeGreaterThan(0);
    socket.close();
  });
});
