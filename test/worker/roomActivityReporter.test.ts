import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomActivity } from '../../src/contracts/ipc.js';
import { ACTIVITY_COALESCE_MS, RoomActivityReporter } from '../../src/worker/RoomActivityReporter.js';

/** A room whose counts the test sets. */
function room(name: string, epoch = 1) {
  const state: RoomActivity = { name, epoch, clients: 0, viewers: 0, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null };
  return {
    name,
    state,
    activity: () => ({ ...state }),
    set(change: Partial<Omit<RoomActivity, 'name'>>) {
      Object.assign(state, change);
    },
  };
}

describe('RoomActivityReporter', () => {
  let reports: RoomActivity[][];
  let reporter: RoomActivityReporter;

  beforeEach(() => {
    vi.useFakeTimers();
    reports = [];
    reporter = new RoomActivityReporter((rooms) => reports.push(rooms));
  });
  afterEach(() => {
    reporter.close();
    vi.useRealTimers();
  });

  it('turns the changes of one coalescing period into one report of every room that changed, with their latest counts', () => {
    const a = room('a');
    const b = room('b');
    for (let i = 1; i <= 5; i++) {
      a.set({ clients: i, messages: i * 2 });
      reporter.changed(a);
    }
    b.set({ viewers: 3 });
    reporter.changed(b);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS - 1);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([
      [
        { name: 'a', epoch: 1, clients: 5, viewers: 0, messages: 10, live: false, liveSince: null, thumbnail: false, ingest: null },
        { name: 'b', epoch: 1, clients: 0, viewers: 3, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null },
      ],
    ]);
  });

  it('reports a room at most once per period however often it changes', () => {
    const a = room('a');
    for (let ms = 0; ms < 1_000; ms += 10) {
      a.set({ messages: ms });
      reporter.changed(a);
      vi.advanceTimersByTime(10);
    }
    expect(reports.length).toBeLessThanOrEqual(1_000 / ACTIVITY_COALESCE_MS);
    expect(reports.length).toBeGreaterThanOrEqual(1_000 / ACTIVITY_COALESCE_MS - 1);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS);
    expect(reports.at(-1)).toEqual([expect.objectContaining({ messages: 990 })]);
  });

  it('says nothing of a room that is back to what it last reported (a join and a leave within one period)', () => {
    const a = room('a');
    a.set({ clients: 1 });
    reporter.changed(a);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS);
    expect(reports).toHaveLength(1);
    a.set({ clients: 2 });
    reporter.changed(a);
    a.set({ clients: 1 });
    reporter.changed(a);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS * 4);
    expect(reports).toHaveLength(1);
  });

  it('reports a stream going live at the next turn of the event loop, with the changes waiting so far', () => {
    const a = room('a');
    a.set({ clients: 2 });
    reporter.changed(a);
    a.set({ live: true });
    reporter.changed(a, true);
    expect(reports).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(reports).toEqual([[{ name: 'a', epoch: 1, clients: 2, viewers: 0, messages: 0, live: true, liveSince: null, thumbnail: false, ingest: null }]]);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS * 2);
    expect(reports).toHaveLength(1);
  });

  it('forgets a closed room: its pending change is dropped, and a new room of the name is reported in full', () => {
    const old = room('a', 1);
    old.set({ clients: 4 });
    reporter.changed(old);
    reporter.forget('a');
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS);
    expect(reports).toEqual([]);

    const again = room('a', 2);
    reporter.changed(again);
    vi.advanceTimersByTime(ACTIVITY_COALESCE_MS);
    expect(reports).toEqual([[{ name: 'a', epoch: 2, clients: 0, viewers: 0, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null }]]);
  });
});
