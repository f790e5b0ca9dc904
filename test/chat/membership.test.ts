import { describe, expect, it } from 'vitest';
import { Membership } from '../../src/chat/Membership.js';
import type { UserView } from '../../src/contracts/chatFrames.js';
import { anonymous, FakeConnection, FakeRoom, moderator, viewer } from './fakeRoom.js';

/** Joins `view` on a new connection the way Joining does: the settled name, then add and announce. */
function join(members: Membership, view: UserView, connection = new FakeConnection()): { connection: FakeConnection; view: UserView | undefined } {
  const settled = members.settleName(view);
  if (settled && members.add(connection, settled)) members.announceJoined(settled, connection);
  return { connection, view: settled };
}

describe('Membership', () => {
  it('announces a user once, however many connections they open, and lists them once', () => {
    const room = new FakeRoom();
    const members = new Membership(room);
    const first = join(members, viewer('u1', 'Ann'));
    const second = join(members, viewer('u1', 'Ann'));

    expect(room.sentToAll('joined')).toEqual([{ type: 'joined', user: viewer('u1', 'Ann') }]);
    expect(room.broadcasts[0]?.except).toBe(first.connection);
    expect(members.users()).toEqual([viewer('u1', 'Ann')]);
    expect(members.get('u1')?.connections.size).toBe(2);
    expect(first.connection.user).toEqual(viewer('u1', 'Ann'));
    expect(second.connection.user).toEqual(viewer('u1', 'Ann'));
  });

  it('says `left` only when the last connection of a user closes, and not while the room closes', () => {
    const room = new FakeRoom();
    const members = new Membership(room);
    const first = join(members, viewer('u1', 'Ann'));
    const second = join(members, viewer('u1', 'Ann'));

    members.leave(first.connection, true);
    expect(room.sentToAll('left')).toEqual([]);
    members.leave(second.connection, true);
    expect(room.sentToAll('left')).toEqual([{ type: 'left', user: { id: 'u1', name: 'Ann' } }]);
    expect(members.get('u1')).toBeUndefined();

    const closing = join(members, viewer('u2', 'Bob'));
    members.leave(closing.connection, false);
    expect(room.sentToAll('left')).toHaveLength(1);
    expect(members.get('u2')).toBeUndefined();
  });

  it('frees an anonymous name when its holder leaves, and refuses it while held', () => {
    const members = new Membership(new FakeRoom());
    const ann = join(members, anonymous('anon-1', 'Ann'));
    expect(join(members, anonymous('anon-2', 'ann')).view).toBeUndefined();
    members.leave(ann.connection, true);
    expect(join(members, anonymous('anon-2', 'ann')).view?.name).toBe('ann');
  });

  it('keeps a signed-in name reserved from anonymous users after its holder leaves', () => {
    const members = new Membership(new FakeRoom());
    const ann = join(members, viewer('u1', 'Ann'));
    members.leave(ann.connection, true);
    expect(join(members, anonymous('anon-1', 'Ann')).view).toBeUndefined();
  });

  it('gives a signed-in user the name an anonymous user held: the anonymous one is told, closed and gone at once', () => {
    const room = new FakeRoom();
    const members = new Membership(room);
    const anon = join(members, anonymous('anon-1', 'Ann'));
    const signedIn = join(members, viewer('u1', 'Ann'));

    expect(signedIn.view?.name).toBe('Ann');
    expect(anon.connection.frames('error')).toEqual([expect.objectContaining({ code: 'NAME_TAKEN' })]);
    expect(anon.connection.closedWith).toEqual({ name: 'KICKED', reason: 'name taken by a signed-in user' });
    expect(room.sentToAll('left')).toEqual([{ type: 'left', user: { id: 'anon-1', name: 'Ann' } }]);
    expect(members.users().map((user) => user.id)).toEqual(['u1']);
  });

  it('tags a signed-in user whose name another signed-in user present holds', () => {
    const members = new Membership(new FakeRoom());
    join(members, viewer('u1', 'Ann'));
    const second = join(members, viewer('u2', 'Ann'));
    expect(second.view?.name).toMatch(/^Ann #[0-9a-f]{4}$/);
  });

  it('keeps the name a user already has here when they open another connection', () => {
    const members = new Membership(new FakeRoom());
    join(members, viewer('u1', 'Ann'));
    expect(members.settleName(viewer('u1', 'Annie'))?.name).toBe('Ann');
  });

  it('remembers who joined as a moderator until they join again without that role', () => {
    const room = new FakeRoom();
    const members = new Membership(room);
    const mod = join(members, moderator('m1'));
    expect(room.ctx.moderatorsSeen).toEqual(['m1']);
    expect(members.isModerator('m1')).toBe(true);
    members.leave(mod.connection, true);
    expect(members.isModerator('m1')).toBe(true);
    const again = join(members, viewer('m1'));
    expect(members.isModerator('m1')).toBe(false);
    members.leave(again.connection, true);
    expect(members.isModerator('m1')).toBe(false);
    expect(members.isModerator('nobody')).toBe(false);
  });

  it('disconnects every connection of a user with the given close', () => {
    const members = new Membership(new FakeRoom());
    const first = join(members, viewer('u1'));
    const second = join(members, viewer('u1'));
    expect(members.disconnectUser('u1', 'KICKED', 'bye')).toBe(2);
    expect(first.connection.closedWith).toEqual({ name: 'KICKED', reason: 'bye' });
    expect(second.connection.closedWith).toEqual({ name: 'KICKED', reason: 'bye' });
    expect(members.disconnectUser('nobody', 'KICKED')).toBe(0);
  });
});
