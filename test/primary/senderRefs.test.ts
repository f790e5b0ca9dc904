import { describe, expect, it } from 'vitest';
import { SenderRefs } from '../../src/primary/SenderRefs.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';

const sent = (id: string, ref: string, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord => ({ room: 'r', id, user: 'u', name: 'Ann', text: 'hello', ts: 1_000, ref, ...extra });
const settled = Promise.resolve();

describe('SenderRefs', () => {
  it('finds the first message of a ref only for the same room, user and text, and rebuilds it for the answer', () => {
    const refs = new SenderRefs(60_000, 100);
    const first = sent('m1', '1');
    refs.remember(first, settled, 0);
    const resend = sent('m2', '1', { ts: 2_000 });
    const found = refs.find(resend, 10)!;
    expect(refs.firstOf(found, resend)).toEqual(first);
    expect(refs.find(sent('m3', '1', { user: 'other' }), 10)).toBeUndefined();
    expect(refs.find(sent('m3', '1', { room: 'other' }), 10)).toBeUndefined();
    expect(refs.find(sent('m3', '1', { text: 'a new message under a reused ref' }), 10)).toBeUndefined();
    expect(refs.find({ ...sent('m3', '1'), ref: undefined }, 10)).toBeUndefined();
  });

  it('forgets refs past the window, and the oldest past the bound', () => {
    const refs = new SenderRefs(1_000, 3);
    refs.remember(sent('m1', '1'), settled, 0);
    expect(refs.find(sent('x', '1'), 1_000)).toBeDefined();
    expect(refs.find(sent('x', '1'), 1_001)).toBeUndefined();
    for (const [i, ref] of ['2', '3', '4', '5'].entries()) refs.remember(sent(`m${i + 2}`, ref), settled, 500);
    // Four remembered at 500 with room for three: ref 1 (the oldest) and then ref 2 go first.
    expect(['1', '2', '3', '4', '5'].map((ref) => refs.find(sent('x', ref), 600) !== undefined)).toEqual([false, false, true, true, true]);
  });

  it('forgets a message whose commit failed (only that one), and a deleted room\'s refs', () => {
    const refs = new SenderRefs(60_000, 100);
    const failed = sent('m1', '1');
    refs.remember(failed, settled, 0);
    refs.forget(sent('someone else\'s id', '1'));
    expect(refs.find(sent('x', '1'), 1)).toBeDefined();
    refs.forget(failed);
    expect(refs.find(sent('x', '1'), 1)).toBeUndefined();
    refs.remember(sent('m2', '2'), settled, 0);
    refs.remember(sent('m3', '3', { room: 'r2' }), settled, 0);
    refs.forgetRoom('r');
    expect(refs.find(sent('x', '2'), 1)).toBeUndefined();
    expect(refs.find(sent('x', '3', { room: 'r2' }), 1)).toBeDefined();
  });
});
