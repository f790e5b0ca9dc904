import { describe, expect, it } from 'vitest';
import { insertById, lowerBound, pageBounds } from '../../src/store/idOrder.js';

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
