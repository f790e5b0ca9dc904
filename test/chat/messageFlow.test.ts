import { describe, expect, it, vi } from 'vitest';
import { CHAT_LIMITS } from '../../src/chat/chatLimits.js';
import { FloodControl } from '../../src/chat/FloodControl.js';
import { MessageFlow } from '../../src/chat/MessageFlow.js';
import { LIMITS } from '../../src/chat/protocol.js';
import type { MuteBook } from '../../src/chat/roomPorts.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { FakeConnection, FakeRoom, policyOf, viewer } from './fakeRoom.js';

class MessageRoom extends FakeRoom {
  readonly remembered: ChatMessageRecord[] = [];
  readonly history = { remember: (record: ChatMessageRecord) => void this.remembered.push(record) };
}

/** A message path with real flood control, the mutes the test gives, and a joined sender. */
function setup(mutes: Record<string, number> = {}, rate = { chatRate: 100, chatBurst: 100 }) {
  const room = new MessageRoom();
  const flood = new FloodControl(room);
  const muteBook: MuteBook = { mutedUntil: (user) => mutes[user] ?? 0 };
  const flow = new MessageFlow(room, flood, muteBook);
  const sender = new FakeConnection('203.0.113.7', rate);
  const user = viewer('u1', 'Ann');
  sender.user = user;
  return { room, flood, flow, sender, user };
}

describe('MessageFlow', () => {
  it('stores a message, then acknowledges it to its sender (with the ref) and sends it to everyone else', async () => {
    const { room, flow, sender, user } = setup();
    await flow.chat(sender, user, 'hello', 'r1');

    const [record] = room.ctx.persisted;
    expect(record).toMatchObject({ room: 'lobby', user: 'u1', name: 'Ann', text: 'hello', ref: '"r1"' });
    const frame = { type: 'message', id: record?.id, user: 'u1', name: 'Ann', text: 'hello', ts: record?.ts };
    expect(room.broadcasts).toEqual([{ frame, except: sender }]);
    expect(sender.sent).toEqual([{ ...frame, ref: 'r1' }]);
    expect(room.remembered).toEqual([record]);
    expect(flow.messageCount).toBe(1);
    expect(room.ctx.counters.messagesIn).toBe(1);
  });

  it('refuses empty and too long messages without storing them', async () => {
    const { room, flow, sender, user } = setup();
    await flow.chat(sender, user, '  \n ', 1);
    await flow.chat(sender, user, 'x'.repeat(LIMITS.maxText + 1), 2);
    expect(sender.sent).toEqual([
      { type: 'error', code: 'TEXT_EMPTY', message: 'The message is empty', ref: 1 },
      { type: 'error', code: 'TEXT_TOO_LONG', message: `Messages are at most ${LIMITS.maxText} characters`, ref: 2 },
    ]);
    await flow.chat(sender, user, 'x'.repeat(LIMITS.maxText), 3);
    expect(room.ctx.persisted).toHaveLength(1);
  });

  it("refuses a muted user's message, with when the mute ends", async () => {
    const until = Date.now() + 60_000;
    const { room, flow, sender, user } = setup({ u1: until });
    await flow.chat(sender, user, 'hello', 'r');
    expect(sender.sent).toEqual([{ type: 'error', code: 'MUTED', message: 'You are muted', ref: 'r', until }]);
    expect(room.ctx.persisted).toEqual([]);
    expect(room.broadcasts).toEqual([]);
  });

  it('answers a sender over its rate through flood control, which mutes a flood', async () => {
    const { room, flow, sender, user } = setup({}, { chatRate: 0.001, chatBurst: 1 });
    await flow.chat(sender, user, 'first', 0);
    for (let i = 1; i <= CHAT_LIMITS.strikesToEscalate; i += 1) await flow.chat(sender, user, 'more', i);
    expect(sender.frames('error').map((frame) => frame.code)).toEqual([...Array(CHAT_LIMITS.strikesToEscalate - 1).fill('RATE_LIMITED'), 'MUTED']);
    expect(room.ctx.persisted).toHaveLength(1);
  });

  it('refuses banned words when the room refuses them, and masks them otherwise', async () => {
    const { room, flow, sender, user } = setup();
    room.ctx.currentPolicy = policyOf({ bannedWords: ['darn'], bannedWordsAction: 'refuse' });
    await flow.chat(sender, user, 'darn it', 'a');
    expect(sender.last()).toMatchObject({ type: 'error', code: 'BANNED_WORDS', ref: 'a' });
    expect(room.ctx.persisted).toEqual([]);

    room.ctx.currentPolicy = policyOf({ bannedWords: ['darn'], bannedWordsAction: 'mask' });
    await flow.chat(sender, user, 'darn it', 'b');
    expect(room.ctx.persisted[0]?.text).toBe('**** it');
    expect(room.broadcasts[0]?.frame.text).toBe('**** it');
  });

  it('answers NOT_PERSISTED and delivers nothing when the store does not take the message', async () => {
    const { room, flow, sender, user } = setup();
    room.ctx.persistWith = () => Promise.reject(Object.assign(new Error('store down'), { code: 'STORE_UNAVAILABLE' }));
    await flow.chat(sender, user, 'hello', 'r');
    expect(sender.sent).toEqual([{ type: 'error', code: 'NOT_PERSISTED', message: expect.any(String), ref: 'r' }]);
    expect(room.broadcasts).toEqual([]);
    expect(room.remembered).toEqual([]);
    expect(flow.messageCount).toBe(0);
  });

  it('answers a resend with the first message stored, and sends nobody a second copy', async () => {
    const { room, flow, sender, user } = setup();
    const first: ChatMessageRecord = { room: 'lobby', id: 'first-id', user: 'u1', name: 'Ann', text: 'hello', ts: 1234, ref: '"r"' };
    room.ctx.persistWith = async () => first;
    await flow.chat(sender, user, 'hello', 'r');
    expect(sender.sent).toEqual([{ type: 'message', id: 'first-id', user: 'u1', name: 'Ann', text: 'hello', ts: 1234, ref: 'r' }]);
    expect(room.broadcasts).toEqual([]);
    expect(room.remembered).toEqual([]);
    expect(flow.messageCount).toBe(0);
  });

  it('passes `typing` on to the others at most once per interval per connection', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { room, flow, sender, user } = setup();
      flow.typing(sender, user);
      flow.typing(sender, user);
      expect(room.broadcasts).toEqual([{ frame: { type: 'typing', user: 'u1', name: 'Ann' }, except: sender }]);
      vi.advanceTimersByTime(CHAT_LIMITS.typingIntervalMs);
      flow.typing(sender, user);
      expect(room.broadcasts).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
