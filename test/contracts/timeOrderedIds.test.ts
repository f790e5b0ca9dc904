import { describe, expect, it } from 'vitest';
import { idTimePrefix } from '../../src/contracts/timeOrderedIds.js';

describe('idTimePrefix', () => {
  it('is nine base-36 digits that sort as the times do', () => {
    const times = [0, 1, 35, 36, 1_764_680_000_000, 2_821_109_907_456, 36 ** 9 - 1];
    const prefixes = times.map(idTimePrefix);
    for (const prefix of prefixes) expect(prefix).toMatch(/^[0-9a-z]{9}$/);
    expect([...prefixes].sort()).toEqual(prefixes);
  });

  it('writes times past the year 5188 as the last prefix and times before 1970 as the first, so range bounds stay ordered', () => {
    expect(idTimePrefix(1e15)).toBe('zzzzzzzzz');
    expect(idTimePrefix(Number.MAX_SAFE_INTEGER)).toBe('zzzzzzzzz');
    expect(idTimePrefix(-5)).toBe('000000000');
    expect(idTimePrefix(12.7)).toBe(idTimePrefix(12));
  });
});
