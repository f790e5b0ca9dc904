import { describe, expect, it } from 'vitest';
import { BanEnforcement } from '../../src/chat/BanEnforcement.js';
import { ipBanKey } from '../../src/chat/banKeys.js';
import { Membership } from '../../src/chat/Membership.js';
import type { UserView } from '../../src/contracts/chatFrames.js';
import type { BanRecord } from '../../src/contracts/records.js';
import { anonymous, FakeConnection, FakeRoom, policyOf, viewer } from './fakeRoom.js';

const ban = (user: string, room: string | null, reason = ''): BanRecord => ({ id: `b-${user}`, user, room, reason, createdAt: 1, expiresAt: null });

function setup() {
  const room = new FakeRoom();
  const members = new Membership(room);
  const enforcement = new BanEnforcement(room, members);
  const join = (view: UserView, ip?: string) => {
    const connection = new FakeConnection(ip);
    members.add(connection, view);
    return connection;
  };
  return { room, enforcement, join };
}

describe('BanEnforcement', () => {
  it('removes the members a snapshot bans, telling the room why', () => {
    const { room, enforcement, join } = setup();
    const banned = join(viewer('u1', 'Ann'));
    const other = join(viewer('u2', 'Bob'));
    enforcement.expelBanned(policyOf(undefined, [ban('u1', 'lobby', 'spam')]));
    expect(room.sentToAll('moderation')).toEqual([{ type: 'moderation', action: 'ban', user: 'u1', name: 'Ann', reason: 'spam' }]);
    expect(banned.closedWith).toEqual({ name: 'BANNED', reason: 'spam' });
    expect(other.closedWith).toBeUndefined();
  });

  it('looks only at the users a delta names, in this room or every room, and tells each once', () => {
    const { room, enforcement, join } = setup();
    const here = join(viewer('u1', 'Ann'));
    const elsewhere = join(viewer('u2', 'Bob'));
    const bans = [ban('u1', null), ban('u2', 'other-room')];
    enforcement.applyBans(bans, policyOf(undefined, bans));
    enforcement.applyBans(bans, policyOf(undefined, bans));
    expect(here.closedWith?.name).toBe('BANNED');
    expect(elsewhere.closedWith).toBeUndefined();
    expect(room.sentToAll('moderation')).toHaveLength(1);
  });

  it('removes anonymous users at a banned address, saying it was an address ban', () => {
    const { room, enforcement, join } = setup();
    const atAddress = join(anonymous('anon-1', 'Guest'), '198.51.100.9');
    const signedIn = join(viewer('u1', 'Ann'), '198.51.100.9');
    const bans = [ban(ipBanKey('198.51.100.9'), 'lobby')];
    enforcement.applyBans(bans, policyOf(undefined, bans));
    expect(atAddress.closedWith?.name).toBe('BANNED');
    expect(signedIn.closedWith).toBeUndefined();
    expect(room.sentToAll('moderation')).toEqual([expect.objectContaining({ user: 'anon-1', address: true })]);
  });
});
