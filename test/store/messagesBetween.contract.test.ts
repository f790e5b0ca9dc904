import { describe, expect, it } from 'vitest';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { firstIdAt } from '../../src/store/idOrder.js';
import type { Store } from '../../src/store/Store.js';
import { freshStoreEachTest, storeTargets } from '../helpers/storeTargets.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const ids = (list: readonly ChatMessageRecord[]) => list.map((m) => m.id);

/** Messages as the server makes them (ids from the generator): one at each of `times` (ms after T0). */
function sent(room: string, times: readonly number[], ids = new MessageIdGenerator()): ChatMessageRecord[] {
  return times.map((offset, i) => {
    const { id, ts } = ids.next(T0 + offset);
    return { room, id, user: `u${i}`, name: `User ${i}`, text: `${room} at ${offset}`, ts };
  });
}

describe('firstIdAt', () => {
  it('is the smallest id of its millisecond: every id made then sorts at or above it, below the next', () => {
    const generator = new MessageIdGenerator();
    for (const ms of [0, 1, 35, 36, T0, T0 + 999]) {
      const { id } = generator.next(ms);
      expect(id >= firstIdAt(ms), String(ms)).toBe(true);
      expect(id < firstIdAt(ms + 1), String(ms)).toBe(true);
      expect(id.startsWith(firstIdAt(ms))).toBe(true);
    }
    expect(firstIdAt(-5)).toBe('000000000');
  });
});

describe.each(storeTargets())('Store contract, messages of a time span: $name', (target) => {
  let store: Store;
  freshStoreEachTest(target, () => store, (made) => (store = made));

  it('lists the messages sent within the span (both ends included), oldest first, other rooms apart', async () => {
    const room = sent('show', [0, 999, 1000, 1000, 1500, 3000, 3001, 9000]);
    await store.appendMessages(room.slice(4));
    await store.appendMessages(room.slice(0, 4));
    await store.appendMessages(sent('other', [1200, 2000]));
    const span = await store.listMessagesBetween('show', { from: T0 + 1000, to: T0 + 3000, limit: 100 });
    expect(ids(span)).toEqual(ids(room.slice(2, 6)));
    expect(span[0]).toEqual(room[2]);
    expect(await store.listMessagesBetween('show', { from: T0 + 3002, to: T0 + 8999, limit: 100 })).toEqual([]);
    expect(await store.listMessagesBetween('nobody', { from: T0, to: T0 + 9000, limit: 100 })).toEqual([]);
    expect(await store.listMessagesBetween('show', { from: T0, to: T0 + 9000, limit: 0 })).toEqual([]);
    expect(ids(await store.listMessagesBetween('show', { from: T0 + 9000, to: T0 + 9000, limit: 10 }))).toEqual([room[7]!.id]);
  });

  it('pages a long span with `after`, each message once, and stops at its end', async () => {
    const times = Array.from({ length: 450 }, (_, i) => Math.floor(i / 3) * 10);
    const room = sent('long', times);
    await store.appendMessages(room);
    const inSpan = room.filter((m) => m.ts >= T0 + 100 && m.ts <= T0 + 4000);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.listMessagesBetween('long', { from: T0 + 100, to: T0 + 4000, after, limit: 64 });
      seen.push(...ids(page));
      if (page.length < 64) break;
      after = page.at(-1)!.id;
    }
    expect(seen).toEqual(ids(inSpan));
    // A cursor from before the span starts at the span; one past its end finds nothing.
    expect(ids(await store.listMessagesBetween('long', { from: T0 + 100, to: T0 + 4000, after: room[0]!.id, limit: 2 }))).toEqual(ids(inSpan.slice(0, 2)));
    expect(await store.listMessagesBetween('long', { from: T0 + 100, to: T0 + 4000, after: inSpan.at(-1)!.id, limit: 10 })).toEqual([]);
  });

  it('no longer lists what was pruned or deleted', async () => {
    const room = sent('pruned', [0, 10, 20, 30]);
    await store.appendMessages(room);
    expect(await store.pruneMessages('pruned', { olderThan: T0 + 15 }, 100)).toBe(2);
    expect(ids(await store.listMessagesBetween('pruned', { from: T0, to: T0 + 30, limit: 10 }))).toEqual(ids(room.slice(2)));
    await store.deleteMessages('pruned');
    expect(await store.listMessagesBetween('pruned', { from: T0, to: T0 + 30, limit: 10 })).toEqual([]);
  });
});
