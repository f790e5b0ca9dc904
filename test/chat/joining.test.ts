import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHAT_LIMITS } from '../../src/chat/chatLimits.js';
import { Joining, type JoinRoom } from '../../src/chat/Joining.js';
import { Membership } from '../../src/chat/Membership.js';
import { OFFLINE } from '../../src/chat/serverFrames.js';
import { signRoomToken, verifyRoomToken } from '../../src/chat/tokens.js';
import type { BanRecord, ChatMessageRecord } from '../../src/contracts/records.js';
import { fakeContext, FakeConnection, FakeRoom, policyOf } from './fakeRoom.js';

const EPOCH = 1_700_000_000_000;
const recent: ChatMessageRecord = { room: 'lobby', id: 'm1', user: 'u9', name: 'Old', text: 'earlier', ts: 5 };

class RoomToJoin extends FakeRoom implements JoinRoom {
  settings: JoinRoom['settings'] = {};
  readonly stream = OFFLINE;
  readonly history = { ready: Promise.resolve(), newest: () => [recent] };
  verifyToken(token: string) {
    return verifyRoomToken(this.ctx.tokenKey, token, { room: this.name, epoch: EPOCH });
  }
}

function setup(joinTimeoutMs = 10_000) {
  const room = new RoomToJoin(fakeContext({ joinTimeoutMs }));
  const members = new Membership(room);
  const joining = new Joining(room, members);
  return { room, members, joining };
}

const tokenFor = (room: RoomToJoin, claims: { sub: string; name: string; role: 'viewer' | 'moderator'; globalModerator?: boolean }) =>
  signRoomToken(room.ctx.tokenKey, { room: room.name, epoch: EPOCH, ...claims }, 600);

describe('Joining', () => {
  afterEach(() => vi.useRealTimers());

  it('welcomes an anonymous viewer with the room as it is, and tells the others', async () => {
    const { room, joining } = setup();
    const client = new FakeConnection();
    await joining.join(client, { type: 'join', name: ' Ann ', ref: 1 });

    const you = { id: expect.stringMatching(/^anon-[0-9a-f]{12}$/), name: 'Ann', role: 'viewer', anonymous: true };
    expect(client.sent).toEqual([
      {
        type: 'welcome',
        room: 'lobby',
        you,
        users: [you],
        history: [{ type: 'message', id: 'm1', user: 'u9', name: 'Old', text: 'earlier', ts: 5 }],
        stream: OFFLINE,
        welcomeText: '',
        limits: { maxText: 2000, rate: 5, burst: 10 },
        ref: 1,
      },
    ]);
    expect(room.broadcasts).toEqual([{ frame: { type: 'joined', user: you }, except: client }]);
  });

  it('takes who a token says, with its issue time and global moderation', async () => {
    const { room, joining } = setup();
    const client = new FakeConnection();
    await joining.join(client, { type: 'join', token: await tokenFor(room, { sub: 'm1', name: 'Mod', role: 'moderator', globalModerator: true }) });
    expect(client.user).toEqual({ id: 'm1', name: 'Mod', role: 'moderator', anonymous: false });
    expect(client.globalModerator).toBe(true);
    expect(client.tokenIssuedAt).toBeCloseTo(Date.now() / 1000, -1);
    expect(room.ctx.moderatorsSeen).toEqual(['m1']);
  });

  it('refuses a bad token and closes (4001)', async () => {
    const { room, joining } = setup();
    const client = new FakeConnection();
    await joining.join(client, { type: 'join', token: 'not.a.token', ref: 'j' });
    expect(client.sent).toEqual([{ type: 'error', code: 'TOKEN_INVALID', message: 'The token is forged or malformed', ref: 'j' }]);
    expect(client.closedWith).toEqual({ name: 'AUTH_FAILED', reason: 'The token is forged or malformed' });
    expect(room.broadcasts).toEqual([]);
  });

  it('refuses anonymous users where the room needs a token, and names that are not names', async () => {
    const { room, joining } = setup();
    const nameless = new FakeConnection();
    await joining.join(nameless, { type: 'join', name: '\u0007' });
    expect(nameless.last()).toMatchObject({ code: 'NAME_INVALID' });
    expect(nameless.closedWith).toBeUndefined();

    room.settings = { anonymous: false };
    const guest = new FakeConnection();
    await joining.join(guest, { type: 'join', name: 'Ann' });
    expect(guest.last()).toMatchObject({ code: 'ANONYMOUS_NOT_ALLOWED' });
    expect(guest.closedWith).toEqual({ name: 'AUTH_FAILED', reason: 'this room needs a token' });
  });

  it('refuses a banned user with the ban, and closes (4004)', async () => {
    const { room, joining } = setup();
    const ban: BanRecord = { id: 'b1', user: 'u1', room: null, reason: 'spam', createdAt: 1, expiresAt: null };
    room.ctx.currentPolicy = policyOf(undefined, [ban]);
    const client = new FakeConnection();
    await joining.join(client, { type: 'join', token: await tokenFor(room, { sub: 'u1', name: 'Ann', role: 'viewer' }) });
    expect(client.sent).toEqual([expect.objectContaining({ type: 'error', code: 'BANNED', until: null, scope: 'global' })]);
    expect(client.closedWith?.name).toBe('BANNED');
    expect(client.user).toBeUndefined();
  });

  it('answers ALREADY_JOINED to a second join, also while the first is being checked', async () => {
    const { room, joining } = setup();
    const client = new FakeConnection();
    const first = joining.join(client, { type: 'join', token: await tokenFor(room, { sub: 'u1', name: 'Ann', role: 'viewer' }) });
    await joining.join(client, { type: 'join', name: 'Bob', ref: 2 });
    await first;
    await joining.join(client, { type: 'join', name: 'Bob', ref: 3 });
    expect(client.frames('error')).toEqual([expect.objectContaining({ code: 'ALREADY_JOINED', ref: 2 }), expect.objectContaining({ code: 'ALREADY_JOINED', ref: 3 })]);
    expect(client.frames('welcome')).toHaveLength(1);
  });

  it("refuses an anonymous user a name somebody holds (they may try another)", async () => {
    const { joining } = setup();
    await joining.join(new FakeConnection(), { type: 'join', name: 'Ann' });
    const second = new FakeConnection();
    await joining.join(second, { type: 'join', name: 'ANN', ref: 1 });
    expect(second.sent).toEqual([expect.objectContaining({ code: 'NAME_TAKEN', ref: 1 })]);
    expect(second.closedWith).toBeUndefined();
    await joining.join(second, { type: 'join', name: 'Bob' });
    expect(second.user?.name).toBe('Bob');
  });

  it('closes connections that do not join within the timeout (4002), and only those', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { joining } = setup(3_000);
    const idle = new FakeConnection();
    const joiner = new FakeConnection();
    joining.expect(idle);
    joining.expect(joiner);
    await joining.join(joiner, { type: 'join', name: 'Ann' });
    vi.advanceTimersByTime(3_000 - CHAT_LIMITS.joinSweepMs);
    expect(idle.closedWith).toBeUndefined();
    vi.advanceTimersByTime(CHAT_LIMITS.joinSweepMs);
    expect(idle.closedWith).toEqual({ name: 'JOIN_TIMEOUT', reason: undefined });
    expect(joiner.closedWith).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops sweeping when the room closes', () => {
    vi.useFakeTimers();
    const { joining } = setup();
    joining.expect(new FakeConnection());
    joining.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
