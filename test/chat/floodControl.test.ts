import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHAT_LIMITS } from '../../src/chat/chatLimits.js';
import { FloodControl } from '../../src/chat/FloodControl.js';
import { FakeConnection, FakeRoom } from './fakeRoom.js';

const { strikesToEscalate, strikeWindowMs, floodMuteMs } = CHAT_LIMITS;

describe('FloodControl', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('answers RATE_LIMITED, then mutes a flood, then closes a flood after the mute (4029)', () => {
    const room = new FakeRoom();
    const flood = new FloodControl(room);
    const client = new FakeConnection();

    for (let i = 1; i < strikesToEscalate; i += 1) flood.limited(client, i);
    expect(client.sent.map((frame) => frame.code)).toEqual(Array(strikesToEscalate - 1).fill('RATE_LIMITED'));
    expect(client.sent.at(-1)).toMatchObject({ ref: strikesToEscalate - 1 });
    expect(room.ctx.counters.rateLimited).toBe(strikesToEscalate - 1);
    expect(flood.mutedUntil(client)).toBe(0);

    flood.limited(client, 'x');
    const until = Date.now() + floodMuteMs;
    expect(client.last()).toEqual({ type: 'error', code: 'MUTED', message: `Muted for ${floodMuteMs / 1000} s for flooding`, ref: 'x', until });
    expect(flood.mutedUntil(client)).toBe(until);
    expect(client.closedWith).toBeUndefined();

    for (let i = 1; i < strikesToEscalate; i += 1) flood.limited(client);
    expect(client.closedWith).toBeUndefined();
    flood.limited(client);
    expect(client.closedWith).toEqual({ name: 'FLOODING', reason: undefined });
  });

  it('forgets strikes older than the window', () => {
    const flood = new FloodControl(new FakeRoom());
    const client = new FakeConnection();
    for (let round = 0; round < 3; round += 1) {
      for (let i = 1; i < strikesToEscalate; i += 1) flood.limited(client);
      vi.advanceTimersByTime(strikeWindowMs + 1);
    }
    expect(client.frames('error').every((frame) => frame.code === 'RATE_LIMITED')).toBe(true);
    expect(flood.mutedUntil(client)).toBe(0);
  });

  it('keeps strikes per connection', () => {
    const flood = new FloodControl(new FakeRoom());
    const flooder = new FakeConnection();
    const other = new FakeConnection();
    for (let i = 0; i < strikesToEscalate; i += 1) flood.limited(flooder);
    flood.limited(other);
    expect(flood.mutedUntil(flooder)).toBeGreaterThan(Date.now());
    expect(flood.mutedUntil(other)).toBe(0);
    expect(other.last()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
