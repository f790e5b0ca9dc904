import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../src/worker/ConnectionLimiter.js';
import { RateFloor } from '../../src/worker/RateFloor.js';
import { socketAddress } from '../../src/worker/socketAddress.js';

describe('socketAddress', () => {
  it('counts IPv4-mapped IPv6 as the IPv4 address and keeps the rest', () => {
    expect(socketAddress({ remoteAddress: '::ffff:127.0.0.1' })).toBe('127.0.0.1');
    expect(socketAddress({ remoteAddress: '::FFFF:192.0.2.7' })).toBe('192.0.2.7');
    expect(socketAddress({ remoteAddress: '127.0.0.1' })).toBe('127.0.0.1');
    expect(socketAddress({ remoteAddress: '2001:db8::1' })).toBe('2001:db8::1');
    expect(socketAddress({ remoteAddress: '::ffff:abcd' })).toBe('::ffff:abcd');
    expect(socketAddress({})).toBe('unknown');
  });
});

describe('ConnectionLimiter', () => {
  it('admits up to the cap per address and frees a place when a socket closes', async () => {
    const limiter = new ConnectionLimiter(2);
    const sockets = [new PassThrough(), new PassThrough(), new PassThrough()];
    expect(limiter.admit('a', sockets[0]!)).toBe(true);
    expect(limiter.admit('a', sockets[1]!)).toBe(true);
    expect(limiter.admit('a', sockets[2]!)).toBe(false);
    expect(limiter.admitted(sockets[2]!)).toBe(false);
    expect(limiter.admit('b', new PassThrough())).toBe(true);
    const closed = new Promise((resolve) => sockets[0]!.once('close', resolve));
    sockets[0]!.destroy();
    await closed;
    expect(limiter.admitted(sockets[0]!)).toBe(false);
    expect(limiter.admit('a', sockets[2]!)).toBe(true);
  });
});

describe('RateFloor', () => {
  it('reports a window below the floor, and never one in which the server stopped reading', () => {
    let now = 0;
    const floor = new RateFloor(1_000, () => now);
    floor.add(2_000);
    now = 2_000;
    expect(floor.endWindow(false)).toBeNull();
    floor.add(500);
    now = 4_000;
    expect(floor.endWindow(false)).toBe(250);
    // Held up (backpressure) during the window, or still paused when it ends: not the producer's fault.
    floor.holdUp();
    now = 6_000;
    expect(floor.endWindow(true)).toBeNull();
    now = 8_000;
    expect(floor.endWindow(false)).toBeNull();
    now = 10_000;
    expect(floor.endWindow(false)).toBe(0);
  });
});
