import { describe, expect, it } from 'vitest';
import { insertById, lowerBound, pageBounds } from '../../src/store/idOrder.js';
import { RoomMessageIndex } from '../../src/store/RoomMessageIndex.js';

const self = (id: string): string => id;

describe('id order', () => {
  it('finds where an id falls, present or not', () => {
    const ids = ['b', 'd', 'f'];
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => lowerBound(ids, id, self))).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(lowerBound([], 'x', self)).toBe(0);
  });

  it('inserts in order, appending the usual newest id, and refuses a duplicate', () => {
    const ids: string[] = [];
    for (const id of ['c', 'd', 'a', 'e', 'b']) expect(insertById(ids, id, self)).toBe(true);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(insertById(ids, 'c', self)).toBe(false);
    expect(insertById(ids, 'e', self)).toBe(false);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('bounds the newest page before an id', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    expect(pageBounds(ids, undefined, 2, self)).toEqual({ start: 3, end: 5 });
    expect(pageBounds(ids, 'd', 2, self)).toEqual({ start: 1, end: 3 });
    expect(pageBounds(ids, 'b', 5, self)).toEqual({ start: 0, end: 1 });
    expect(pageBounds(ids, 'a', 5, self)).toEqual({ start: 0, end: 0 });
    expect(pageBounds(ids, 'z', 0, self)).toEqual({ start: 5, end: 5 });
  });
});

describe('RoomMessageIndex', () => {
  it('pages each room on its own, in id order, from a rebuild and from additions', () => {
    const index = new RoomMessageIndex();
    index.rebuild([
      { room: 'r', id: 'm3', key: 'k3' },
      { room: 'r', id: 'm1', key: 'k1' },
      { room: 's', id: 'm2', key: 'x2' },
    ]);
    expect(index.add('r', 'm2', 'k2')).toBe(true);
    expect(index.add('r', 'm2', 'other')).toBe(false);
    expect(index.page('r', undefined, 10)).toEqual(['k1', 'k2', 'k3']);
    expect(index.page('r', 'm3', 1)).toEqual(['k2']);
    expect(index.page('s', undefined, 10)).toEqual(['x2']);
    expect(index.has('r', 'm1')).toBe(true);
    expect(index.has('s', 'm1')).toBe(false);
    index.deleteRoom('r');
    expect(index.page('r', undefined, 10)).toEqual([]);
    expect(index.size('r')).toBe(0);
    expect(index.size('s')).toBe(1);
  });

  it('answers a page of a room of 200,000 messages without touching the rest', () => {
    const index = new RoomMessageIndex();
    const ids = Array.from({ length: 200_000 }, (_, i) => `m${String(i).padStart(7, '0')}`);
    index.rebuild(ids.map((id) => ({ room: 'big', id, key: id })));
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) index.page('big', ids[(i * 197) % ids.length], 50);
    // A thousand pages in well under the time one full scan and sort of the room takes.
    expect(performance.now() - started).toBeLessThan(200);
    expect(index.page('big', 'm0100000', 3)).toEqual(['m0099997', 'm0099998', 'm0099999']);
  });
});
