import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../src/net/ConnectionLimiter.js';
import { RateFloor } from '../../src/worker/RateFloor.js';
import { AddressRanges } from '../../src/net/addresses.js';
import { ClientAddresses } from '../../src/net/clientAddress.js';

describe('ClientAddresses', () => {
  it('counts IPv4-mapped IPv6 peers as IPv4, and tells trusted proxies apart', () => {
    const addresses = new ClientAddresses(new AddressRanges(['10.0.0.0/8']));
    expect(addresses.peer({ remoteAddress: '::ffff:127.0.0.1' })).toBe('127.0.0.1');
    expect(addresses.peer({ remoteAddress: '::FFFF:192.0.2.7' })).toBe('192.0.2.7');
    expect(addresses.peer({ remoteAddress: '2001:DB8::1' })).toBe('2001:db8::1');
    expect(addresses.peer({})).toBe('unknown');
    expect(addresses.isTrustedProxy('10.1.2.3')).toBe(true);
    expect(addresses.isTrustedProxy('127.0.0.1')).toBe(false);
    expect(new ClientAddresses(new AddressRanges([])).isTrustedProxy('10.1.2.3')).toBe(false);
    const viaProxy = { socket: { remoteAddress: '::ffff:10.0.0.5' }, headers: { 'x-forwarded-for': '198.51.100.9' } };
    expect(addresses.of(viaProxy)).toBe('198.51.100.9');
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
