import { describe, expect, it } from 'vitest';
import { recentCapacity, RecentMessages } from '../../src/chat/RecentMessages.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';

const record = (i: number): ChatMessageRecord => ({ room: 'r', id: `m${String(i).padStart(4, '0')}`, user: 'u', name: 'U', text: `t${i}`, ts: i });
const ids = (page: { messages: ChatMessageRecord[] } | undefined) => page?.messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record(from + i));

describe('recent messages kept by the worker', () => {
  it('keeps at least two pages, the welcome history when larger, and at most 500', () => {
    expect(recentCapacity(50)).toBe(100);
    expect(recentCapacity(0)).toBe(100);
    expect(recentCapacity(300)).toBe(300);
    expect(recentCapacity(5_000)).toBe(500);
  });

  it('answers the newest pages of a long history and sends older ones to the primary', () => {
    const recent = new RecentMessages();
    // The primary returned as many as asked: older messages exist.
    recent.load(range(900, 1000), 100);
    expect(ids(recent.page(undefined, 50))).toEqual(range(950, 1000).map((m) => m.id));
    expect(recent.page(undefined, 50)?.more).toBe(true);
    expect(ids(recent.page(record(950).id, 50))).toEqual(range(900, 950).map((m) => m.id));
    expect(recent.page(record(950).id, 50)?.more).toBe(true);
    // Fewer than a page held before `before`, or `before` older than all held: the primary's.
    expect(recent.page(record(949).id, 50)).toBeUndefined();
    expect(recent.page(record(10).id, 50)).toBeUndefined();
  });

  it('forgets everything when the stored history is deleted, and sends pages to the primary until it holds a page again', () => {
    const recent = new RecentMessages();
    recent.load(range(0, 60), 100);
    recent.clear();
    expect(recent.newest(50)).toEqual([]);
    expect(recent.page(undefined, 50)).toBeUndefined();
    for (const message of range(100, 150)) recent.add(message, 100);
    expect(ids(recent.page(undefined, 50))).toEqual(range(100, 150).map((m) => m.id));
  });

  it('answers every page of a room whose whole history it holds, ending with more: false', () => {
    const recent = new RecentMessages();
    recent.load(range(0, 60), 100);
    expect(ids(recent.page(undefined, 50))).toEqual(range(10, 60).map((m) => m.id));
    expect(recent.page(record(10).id, 50)).toEqual({ messages: range(0, 10), more: false });
    expect(recent.page(record(0).id, 50)).toEqual({ messages: [], more: false });
    expect(new RecentMessages().page(undefined, 50)).toBeUndefined();
    const empty = new RecentMessages();
    empty.load([], 100);
    expect(empty.page(undefined, 50)).toEqual({ messages: [], more: false });
  });

  it('stops claiming the whole history once it drops old messages, and keeps id order', () => {
    const recent = new RecentMessages();
    recent.load(range(0, 3), 100);
    for (let i = 3; i < 100; i++) recent.add(record(i), 100);
    expect(recent.page(record(30).id, 50)).toEqual({ messages: range(0, 30), more: false });
    for (let i = 100; i < 120; i++) recent.add(record(i), 100);
    recent.add(record(119), 100);
    expect(recent.size).toBe(100);
    expect(recent.newest(2).map((m) => m.id)).toEqual([record(118).id, record(119).id]);
    expect(recent.page(record(30).id, 50)).toBeUndefined();
    expect(recent.page(record(70).id, 50)).toEqual({ messages: range(20, 70), more: true });
    // A message that arrives out of order takes its place.
    const late = { ...record(200), id: `${record(119).id}a` };
    recent.add(record(201), 100);
    recent.add(late, 100);
    expect(recent.newest(2).map((m) => m.id)).toEqual([late.id, record(201).id]);
  });

  it('answers without asking the primary when the load failed but enough new messages came', () => {
    const recent = new RecentMessages();
    for (let i = 0; i < 60; i++) recent.add(record(i), 100);
    expect(ids(recent.page(undefined, 50))).toEqual(range(10, 60).map((m) => m.id));
    expect(recent.page(record(10).id, 50)).toBeUndefined();
  });
});
