import { randomBytes } from 'node:crypto';
import type { ChatClient } from './ChatClient.js';
import type { ChatRoom } from './ChatRoom.js';
import { banReason } from './banKeys.js';
import { cleanName } from './names.js';
import type { SignedInName } from './RoomNames.js';
import type { ClientFrame, UserView } from '../contracts/chatFrames.js';
import { LIMITS } from './protocol.js';
import { welcomeFrame } from './serverFrames.js';

type JoinFrame = Extract<ClientFrame, { type: 'join' }>;

/** Works out who the client is: from its token, or as an anonymous viewer with a name. */
async function identify(room: ChatRoom, client: ChatClient, frame: JoinFrame): Promise<{ view: UserView; globalModerator: boolean } | undefined> {
  if (frame.token !== undefined) {
    const result = await room.verifyToken(frame.token);
    if (!result.ok) {
      room.sendError(client, result.code, result.message, frame.ref);
      client.close('AUTH_FAILED', result.message);
      return undefined;
    }
    const { sub, name, role, iat, globalModerator } = result.claims;
    client.tokenIssuedAt = iat;
    return { view: { id: sub, name: cleanName(name) ?? sub.slice(0, 32), role, anonymous: false }, globalModerator };
  }
  if (room.settings.anonymous === false) {
    room.sendError(client, 'ANONYMOUS_NOT_ALLOWED', undefined, frame.ref);
    client.close('AUTH_FAILED', 'this room needs a token');
    return undefined;
  }
  const name = frame.name === undefined ? undefined : cleanName(frame.name);
  if (!name) {
    room.sendError(client, 'NAME_INVALID', undefined, frame.ref);
    return undefined;
  }
  return { view: { id: `anon-${randomBytes(6).toString('hex')}`, name, role: 'viewer', anonymous: true }, globalModerator: false };
}

/** The name the user is shown with, or undefined when an anonymous user's name is taken (see RoomNames). */
function chooseName(room: ChatRoom, view: UserView): SignedInName | undefined {
  if (view.anonymous) return room.names.canTakeAnonymous(view.name) ? { name: view.name, displaced: undefined } : undefined;
  return room.names.forSignedIn(view.id, view.name, (holder) => room.members.get(holder)?.view.anonymous === true);
}

/** An anonymous user loses their name to a signed-in user: told why, then closed (4003, they may join again with another name). */
function displace(room: ChatRoom, userId: string): void {
  const member = room.members.get(userId);
  if (!member) return;
  for (const connection of member.connections) {
    room.sendError(connection, 'NAME_TAKEN', 'A signed-in user has joined with this name; join again with another name');
  }
  room.disconnectUser(userId, 'KICKED', 'name taken by a signed-in user');
  // Gone at once, so the signed-in user's welcome never lists two people with one name.
  room.members.delete(userId);
  room.broadcast({ type: 'left', user: { id: userId, name: member.view.name } });
  room.ctx.logger.info({ room: room.name, user: userId, name: member.view.name }, 'anonymous user gave up a name to a signed-in user');
}

/**
 * Handles `join`: identity, bans, name uniqueness, then `welcome` to the client and `joined`
 * to the others (once per user, however many connections the user has).
 */
export async function admit(room: ChatRoom, client: ChatClient, frame: JoinFrame): Promise<void> {
  if (client.user || client.joining) return room.sendError(client, 'ALREADY_JOINED', undefined, frame.ref);
  client.joining = true;
  try {
    const identity = await identify(room, client, frame);
    if (!identity || !client.open) return;
    let { view } = identity;

    const moderator = view.role === 'moderator';
    const ban = room.policy.banFor(view.id, view.anonymous ? client.ip : undefined, room.name, Date.now(), moderator);
    if (ban) {
      const reason = banReason(ban);
      room.sendError(client, 'BANNED', undefined, frame.ref, { until: ban.expiresAt, scope: ban.room === null ? 'global' : 'room', reason: reason ?? null });
      client.close('BANNED', reason);
      return;
    }

    await room.history.ready;
    if (!client.open) return;
    // Names are settled after the last await, so two joins cannot both take one.
    const existing = room.members.get(view.id);
    const named = existing ? { name: existing.view.name, displaced: undefined } : chooseName(room, view);
    if (!named) return room.sendError(client, 'NAME_TAKEN', undefined, frame.ref);
    view = { ...view, name: named.name };
    if (named.displaced) displace(room, named.displaced);

    client.user = view;
    client.globalModerator = identity.globalModerator;
    // The last role a user joined this room with decides whether other moderators may act on them.
    if (moderator) {
      room.moderators.add(view.id);
      room.ctx.moderatorSeen(view.id);
    } else if (!view.anonymous) {
      room.moderators.delete(view.id);
    }
    room.names.take(view.name, view.id, !view.anonymous);
    const member = existing ?? { view, connections: new Set<ChatClient>() };
    member.connections.add(client);
    room.members.set(view.id, member);

    const policy = room.policy;
    client.send(
      welcomeFrame({
        you: view,
        room: room.name,
        users: [...room.members.values()].map((m) => m.view),
        history: [...room.history.newest()],
        stream: room.stream,
        welcomeText: policy.welcomeText,
        limits: { maxText: LIMITS.maxText, rate: policy.chatRate, burst: policy.chatBurst },
        ref: frame.ref,
      }),
    );
    if (!existing) room.broadcast({ type: 'joined', user: view }, client);
  } finally {
    client.joining = false;
  }
}
