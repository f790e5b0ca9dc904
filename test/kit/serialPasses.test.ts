import { describe, expect, it } from 'vitest';
import { SerialPasses } from '../../src/kit/SerialPasses.js';

describe('SerialPasses', () => {
  it('never overlaps passes: asks during a pass share one pass right after it; closed, it runs none', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    const releases: Array<() => void> = [];
    const serial = new SerialPasses(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
      return (passes += 1);
    }, -1);
    const first = serial.run();
    const second = serial.run();
    const third = serial.run();
    expect(second).toBe(third);
    releases.shift()!();
    expect(await first).toBe(1);
    await expect.poll(() => releases.length).toBe(1);
    releases.shift()!();
    expect(await second).toBe(2);
    expect(most).toBe(1);
    const last = serial.run();
    const closed = serial.close();
    expect(serial.closed).toBe(true);
    expect(await serial.run()).toBe(-1);
    await expect.poll(() => releases.length).toBe(1);
    releases.shift()!();
    await closed;
    expect(await last).toBe(3);
  });
});
