import { describe, expect, it } from 'vitest';
import { leastLoadedWorker } from '../../src/primary/placement.js';
import { restartDelay } from '../../src/primary/restartDelay.js';
import { PortAllocator } from '../../src/primary/PortAllocator.js';

describe('leastLoadedWorker', () => {
  it('picks the ready worker with the fewest rooms and clients', () => {
    expect(
      leastLoadedWorker([
        { index: 0, ready: true, rooms: 2, clients: 0 },
        { index: 1, ready: true, rooms: 1, clients: 10 },
        { index: 2, ready: false, rooms: 0, clients: 0 },
      ]),
    ).toBe(1);
    expect(
      leastLoadedWorker([
        { index: 0, ready: true, rooms: 1, clients: 500 },
        { index: 1, ready: true, rooms: 3, clients: 0 },
      ]),
    ).toBe(1);
  });

  it('breaks ties on the lowest index and answers undefined when no worker is ready', () => {
    expect(leastLoadedWorker([{ index: 0, ready: true, rooms: 0, clients: 0 }, { index: 1, ready: true, rooms: 0, clients: 0 }])).toBe(0);
    expect(leastLoadedWorker([{ index: 0, ready: false, rooms: 0, clients: 0 }])).toBeUndefined();
    expect(leastLoadedWorker([])).toBeUndefined();
  });
});

describe('restartDelay', () => {
  it('replaces a first crash at once and backs off a crash loop up to 30 s', () => {
    expect([1, 2, 3, 4, 5].map(restartDelay)).toEqual([0, 250, 500, 1000, 2000]);
    expect(restartDelay(20)).toBe(30_000);
    expect(restartDelay(0)).toBe(0);
  });
});

describe('PortAllocator', () => {
  it('hands out the lowest free port and reuses released ones', () => {
    const ports = new PortAllocator({ first: 100, last: 102 });
    expect([ports.allocate(), ports.allocate()]).toEqual([100, 101]);
    ports.release(100);
    expect(ports.allocate()).toBe(100);
    expect(ports.allocate()).toBe(102);
    expect(ports.allocate()).toBeUndefined();
    expect(ports.used).toBe(3);
  });

  it('claims specific ports once', () => {
    const ports = new PortAllocator({ first: 100, last: 102 });
    expect(ports.claim(101)).toBe(true);
    expect(ports.claim(101)).toBe(false);
    expect(ports.allocate()).toBe(100);
    expect(ports.allocate()).toBe(102);
  });

  it('skips a port another program holds for a minute, then tries it again', () => {
    let now = 0;
    const ports = new PortAllocator({ first: 100, last: 101 }, () => now);
    expect(ports.allocate()).toBe(100);
    ports.markForeign(100);
    expect(ports.allocate()).toBe(101);
    ports.release(101);
    now = 59_999;
    expect(ports.allocate()).toBe(101);
    now = 60_000;
    expect(ports.allocate()).toBe(100);
  });
});
