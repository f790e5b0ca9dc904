/**
 * The reconnect schedule the studio and the chat panel share (pages/src/lib/backoff.ts): quick
 * attempts that double to a cap, a back-off that carries on across short-lived reconnects, starts
 * afresh only after STEADY_MS live, and gives up after GIVE_UP_MS of trouble. It takes the time
 * as an argument, so the test walks through minutes without waiting for them.
 */
import { describe, expect, it } from 'vitest';

interface NextAttempt {
  readonly attempt: number;
  readonly delayMs: number;
}
interface Schedule {
  reset(): void;
  live(now: number): void;
  next(now: number): NextAttempt | null;
}
// Loaded by a path the server's tsconfig does not follow: page modules import with `.ts`
// extensions, which it does not allow (pages/tsconfig.json checks them).
const backoffModule = '../../pages/src/lib/backoff.ts';
const { ReconnectSchedule, STEADY_MS, GIVE_UP_MS } = (await import(backoffModule)) as {
  ReconnectSchedule: new () => Schedule;
  STEADY_MS: number;
  GIVE_UP_MS: number;
};

describe('ReconnectSchedule', () => {
  it('waits 0.3 s, then doubling up to 8 s', () => {
    const schedule = new ReconnectSchedule();
    const delays = Array.from({ length: 8 }, (_, i) => schedule.next(i * 1000)!.delayMs);
    expect(delays).toEqual([300, 600, 1200, 2400, 4800, 8000, 8000, 8000]);
  });

  it('carries the back-off on across reconnects that were live less than STEADY_MS', () => {
    const schedule = new ReconnectSchedule();
    let now = 0;
    schedule.next(now);
    schedule.next((now += 300));
    // Welcomed (live), then lost again a second later: the third attempt, not the first.
    schedule.live((now += 600));
    expect(schedule.next((now += 1000))).toEqual({ attempt: 3, delayMs: 1200 });
    schedule.live((now += 1200));
    expect(schedule.next(now + STEADY_MS - 1)).toEqual({ attempt: 4, delayMs: 2400 });
  });

  it('starts the quick attempts afresh after STEADY_MS live', () => {
    const schedule = new ReconnectSchedule();
    let now = 0;
    for (let i = 0; i < 4; i++) schedule.next((now += 1000));
    schedule.live((now += 1000));
    expect(schedule.next(now + STEADY_MS)).toEqual({ attempt: 1, delayMs: 300 });
  });

  it('gives up after GIVE_UP_MS of trouble, counted through short lives', () => {
    const schedule = new ReconnectSchedule();
    const start = 10_000;
    expect(schedule.next(start)).not.toBeNull();
    // Live for 20 s at a time (under STEADY_MS) does not end the trouble.
    for (let now = start + 20_000; now < start + GIVE_UP_MS; now += 40_000) {
      schedule.live(now);
      expect(schedule.next(now + 20_000)).not.toBeNull();
    }
    expect(schedule.next(start + GIVE_UP_MS)).toBeNull();
    // A new broadcast starts with no trouble.
    schedule.reset();
    expect(schedule.next(start + GIVE_UP_MS + 1)).toEqual({ attempt: 1, delayMs: 300 });
  });
});
