import { describe, expect, it } from 'vitest';
import { BatchPoster } from '../../src/kit/BatchPoster.js';

/** A poster whose batches are recorded; `next()` resolves with the next batch posted. */
function recording(windowMs: number) {
  const batches: Array<{ items: number[]; at: number }> = [];
  let waiter: ((items: number[]) => void) | undefined;
  const poster = new BatchPoster<number>(windowMs, (items) => {
    batches.push({ items, at: performance.now() });
    waiter?.(items);
    waiter = undefined;
  });
  const next = () => new Promise<number[]>((resolve) => (waiter = resolve));
  return { poster, batches, next };
}

describe('BatchPoster', () => {
  it('posts the items of one tick together, at the next turn of the event loop', async () => {
    const { poster, batches, next } = recording(1_000);
    const posted = next();
    poster.push(1);
    poster.push(2);
    poster.push(3);
    expect(batches).toHaveLength(0);
    expect(await posted).toEqual([1, 2, 3]);
  });

  it('after a post, holds what comes next until its window has passed, then posts it in one batch', async () => {
    const windowMs = 200;
    const { poster, batches, next } = recording(windowMs);
    let posted = next();
    poster.push(1);
    await posted;
    posted = next();
    for (let i = 2; i <= 5; i++) {
      poster.push(i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(batches).toHaveLength(1);
    expect(await posted).toEqual([2, 3, 4, 5]);
    // Timers may fire up to a millisecond early in Node's rounding.
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(windowMs - 1);
  });

  it('posts a lone item at once once the window has passed', async () => {
    const { poster, next } = recording(0);
    for (const item of [1, 2, 3]) {
      const posted = next();
      poster.push(item);
      expect(await posted).toEqual([item]);
    }
  });

  it('forgets what it was told to clear', async () => {
    const { poster, batches, next } = recording(1_000);
    poster.push(1);
    poster.clear();
    const posted = next();
    poster.push(2);
    expect(await posted).toEqual([2]);
    expect(batches.map((b) => b.items)).toEqual([[2]]);
  });
});
