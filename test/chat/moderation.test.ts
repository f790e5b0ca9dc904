import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipBanKey } from '../../src/chat/banKeys.js';
import { Membership } from '../../src/chat/Membership.js';
import { Moderation, type ModerationFrame } from '../../src/chat/Moderation.js';
import type { UserView } from '../../src/contracts/chatFrames.js';
import { anonymous, fakeContext, FakeConnection, FakeRoom, moderator, viewer } from './fakeRoom.js';

/** A room with real membership and moderation, and a moderator `m1` joined on `mod`. */
function setup(limits = {}) {
  const room = new FakeRoom(fakeContext(limits));
  const members = new Membership(room);
  const moderation = new Moderation(room, members);
  const join = (view: UserView, ip?: string) => {
    const connection = new FakeConnection(ip);
    const settled = members.settleName(view);
    if (settled) members.add(connection, settled);
    return connection;
  };
  const mod = join(moderator('m1', 'Mod'));
  const act = (frame: ModerationFrame, by: UserView = moderator('m1', 'Mod'), connection = mod) => moderation.handle(connection, by, frame);
  return { room, members, moderation, join, mod, act };
}

describe('Moderation', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('kicks: tells the room, closes every connection of the user, answers ok', async () => {
    const { room, join, act, mod } = setup();
    const first = join(viewer('u1', 'Ann'));
    const second = join(viewer('u1', 'Ann'));
    await act({ type: 'kick', user: 'u1', reason: 'spam', ref: 7 });
    expect(room.sentToAll('moderation')).toEqual([{ type: 'moderation', user: 'u1', name: 'Ann', by: 'm1', reason: 'spam', action: 'kick' }]);
    expect(first.closedWith).toEqual({ name: 'KICKED', reason: 'spam' });
    expect(second.closedWith).toEqual({ name: 'KICKED', reason: 'spam' });
    expect(mod.last()).toEqual({ type: 'ok', ref: 7 });
  });

  it('mutes for the given duration, announced to the room', async () => {
    const { room, join, act, moderation } = setup();
    join(viewer('u1', 'Ann'));
    await act({ type: 'mute', user: 'u1', duration: 60 });
    const until = Date.now() + 60_000;
    expect(moderation.mutedUntil('u1')).toBe(until);
    expect(moderation.mutedUntil('u2')).toBe(0);
    expect(room.sentToAll('moderation')).toEqual([expect.objectContaining({ action: 'mute', user: 'u1', until })]);
  });

  it('mutes for an operator (admin API) like a moderator, without a moderator or a rate; nobody to mute answers null', () => {
    const { room, join, moderation } = setup();
    join(viewer('u1', 'Ann'));
    const until = Date.now() + 120_000;
    expect(moderation.muteByOperator('u1', 120, 'admin', 'cool down')).toBe(until);
    expect(moderation.mutedUntil('u1')).toBe(until);
    expect(room.sentToAll('moderation')).toEqual([{ type: 'moderation', action: 'mute', user: 'u1', name: 'Ann', by: 'admin', reason: 'cool down', until }]);
    expect(moderation.muteByOperator('ghost', 120, 'admin', null)).toBeNull();
    expect(moderation.mutedUntil('ghost')).toBe(0);
  });

  it('bans a signed-in user once the primary agrees, and only then tells the room', async () => {
    const { room, join, act, mod } = setup();
    const target = join(viewer('u1', 'Ann'));
    await act({ type: 'ban', user: 'u1', duration: null, scope: 'room', ref: 'b' });
    expect(room.ctx.bans).toEqual([{ user: 'u1', room: 'lobby', reason: 'banned by Mod', expiresAt: null, by: 'm1' }]);
    expect(room.sentToAll('moderation')).toEqual([expect.objectContaining({ action: 'ban', scope: 'room', until: null })]);
    expect(target.closedWith).toEqual({ name: 'BANNED', reason: 'banned by Mod' });
    expect(mod.last()).toEqual({ type: 'ok', ref: 'b' });
  });

  it('passes a refusal from the primary to the moderator, and leaves the user in', async () => {
    const { room, join, act, mod } = setup();
    const target = join(viewer('u1', 'Ann'));
    room.ctx.addBanWith = async () => ({ ok: false, code: 'BAN_LIMIT', message: 'full' });
    await act({ type: 'ban', user: 'u1', duration: 60, scope: 'room', ref: 1 });
    expect(mod.last()).toEqual({ type: 'error', code: 'BAN_LIMIT', message: 'full', ref: 1 });
    expect(target.closedWith).toBeUndefined();
    expect(room.sentToAll('moderation')).toEqual([]);
  });

  it("bans an anonymous user's address in this room first, after removing them", async () => {
    const { room, join, act } = setup();
    const target = join(anonymous('anon-1', 'Guest'), '198.51.100.9');
    await act({ type: 'ban', user: 'anon-1', duration: 60, scope: 'room', reason: 'rude' });
    expect(target.closedWith).toEqual({ name: 'BANNED', reason: 'rude' });
    expect(room.ctx.bans.map((ban) => [ban.user, ban.room])).toEqual([
      [ipBanKey('198.51.100.9'), 'lobby'],
      ['anon-1', 'lobby'],
    ]);
    expect(room.sentToAll('moderation')).toHaveLength(1);
  });

  it("bans for an operator (admin API) as a moderator's ban goes: an anonymous user's addresses too, stored without `by`, never checked against moderators", async () => {
    const { room, join, moderation, mod } = setup();
    const first = join(anonymous('anon-1', 'Guest'), '198.51.100.9');
    const second = join(anonymous('anon-1', 'Guest'), '2001:db8:1:2::7');
    const expiresAt = Date.now() + 600_000;
    const bans = await moderation.banByOperator('anon-1', expiresAt, 'admin', 'spam');
    expect(first.closedWith).toEqual({ name: 'BANNED', reason: 'spam' });
    expect(second.closedWith).toEqual({ name: 'BANNED', reason: 'spam' });
    const asked = [
      { user: ipBanKey('198.51.100.9'), room: 'lobby', reason: 'spam', expiresAt, operator: true },
      { user: ipBanKey('2001:db8:1:2::7'), room: 'lobby', reason: 'spam', expiresAt, operator: true },
      { user: 'anon-1', room: 'lobby', reason: 'spam', expiresAt, operator: true },
    ];
    expect(room.ctx.bans).toEqual(asked);
    expect(bans.map((ban) => ban.user)).toEqual(asked.map((ban) => ban.user));
    expect(room.sentToAll('moderation')).toEqual([{ type: 'moderation', action: 'ban', user: 'anon-1', name: 'Guest', by: 'admin', reason: 'spam', scope: 'room', until: expiresAt }]);

    // A moderator too (an operator's ban keeps moderators out); nobody there: nothing stored.
    expect(await moderation.banByOperator('m1', null, 'admin', 'enough')).toHaveLength(1);
    expect(mod.closedWith).toEqual({ name: 'BANNED', reason: 'enough' });
    expect(await moderation.banByOperator('ghost', null, 'admin', 'nobody')).toEqual([]);
    expect(room.ctx.bans.map((ban) => ban.user)).toEqual([...asked.map((ban) => ban.user), 'm1']);
  });

  it('bans users who are not here, but kicks and mutes only users present', async () => {
    const { room, act, mod } = setup();
    await act({ type: 'kick', user: 'ghost', ref: 1 });
    await act({ type: 'mute', user: 'ghost', duration: 5, ref: 2 });
    expect(mod.frames('error').map((frame) => frame.code)).toEqual(['USER_NOT_FOUND', 'USER_NOT_FOUND']);
    await act({ type: 'ban', user: 'ghost', duration: null, scope: 'room', ref: 3 });
    expect(room.ctx.bans.map((ban) => ban.user)).toEqual(['ghost']);
    expect(mod.last()).toEqual({ type: 'ok', ref: 3 });
  });

  it('refuses whoever may not act, or acts on whom they may not', async () => {
    const { room, join, act, mod } = setup();
    const viewerConnection = join(viewer('u1', 'Ann'));
    join(moderator('m2', 'Other mod'));
    await act({ type: 'kick', user: 'm1' }, viewer('u1', 'Ann'), viewerConnection);
    expect(viewerConnection.last()).toMatchObject({ code: 'FORBIDDEN', message: 'Only moderators may kick, mute or ban' });

    const refusals: [ModerationFrame, string][] = [
      [{ type: 'kick', user: 'm1' }, 'FORBIDDEN'],
      [{ type: 'kick', user: 'm2' }, 'FORBIDDEN'],
      [{ type: 'ban', user: ipBanKey('198.51.100.9'), duration: null, scope: 'room' }, 'FORBIDDEN'],
      [{ type: 'ban', user: 'u1', duration: null, scope: 'global' }, 'FORBIDDEN'],
      [{ type: 'kick', user: 'bad\u0007id' }, 'INVALID_FIELD'],
    ];
    for (const [frame] of refusals) await act(frame);
    expect(mod.frames('error').map((frame) => frame.code)).toEqual(refusals.map(([, code]) => code));
    expect(room.ctx.bans).toEqual([]);
    expect(room.broadcasts).toEqual([]);
  });

  it('lets a moderator whose token allows it ban in every room', async () => {
    const { room, join, act, mod } = setup();
    join(viewer('u1', 'Ann'));
    mod.globalModerator = true;
    await act({ type: 'ban', user: 'u1', duration: null, scope: 'global' });
    expect(room.ctx.bans).toEqual([expect.objectContaining({ user: 'u1', room: null })]);
  });

  it("rate limits a moderator's actions per connection", async () => {
    const { room, join, act, mod } = setup({ moderationRate: 0.001, moderationBurst: 2 });
    join(viewer('u1', 'Ann'));
    for (let i = 0; i < 4; i += 1) await act({ type: 'mute', user: 'u1', duration: 5, ref: i });
    expect(mod.sent.map((frame) => frame.code ?? frame.type)).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(room.ctx.counters.rateLimited).toBe(2);
  });
});
