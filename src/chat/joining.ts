import { randomBytes } from 'node:crypto';
import type { ChatClient } from './ChatClient.js';
import type { ChatRoom } from './ChatRoom.js';
import { cleanName, nameKey } from './names.js';
import { LIMITS, type ClientFrame } from './protocol.js';
import { welcomeFrame, type UserView } from './serverFrames.js';
import { verifyRoomToken } from './tokens.js';

type JoinFrame = Extract<ClientFrame, { type: 'join' }>;

/** Works out who the client is: from its token, or as an anonymous viewer with a name. */
async function identify(room: ChatRoom, client: ChatClient, frame: JoinFrame): Promise<{ view: UserView; globalModerator: boolean } | undefined> {
  if (frame.token !== undefined) {
    const result = await verifyRoomToken(room.ctx.tokenSecret, frame.token, room.name);
    if (!result.ok) {
      room.sendError(client, result.code, result.message, frame.ref);
      client.close('AUTH_FAILED', result.message);
      return undefined;
    }
    const { sub, name, role, globalModerator } = result.claims;
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
    const { view } = identity;

    const moderator = view.role === 'moderator';
    const ban = room.policy.banFor(view.id, view.anonymous ? client.ip : undefined, room.name, Date.now(), moderator);
    if (ban) {
      room.sendError(client, 'BANNED', undefined, frame.ref, { until: ban.expiresAt, scope: ban.room === null ? 'global' : 'room' });
      client.close('BANNED');
      return;
    }
    const key = nameKey(view.name);
    const owner = room.names.get(key);
    if (owner !== undefined && owner !== view.id && view.anonymous) {
      room.sendError(client, 'NAME_TAKEN', undefined, frame.ref);
      return;
    }

    await room.historyReady;
    if (!client.open) return;
    client.user = view;
    client.globalModerator = identity.globalModerator;
    // The last role a user joined this room with decides whether other moderators may act on them.
    if (moderator) {
      room.moderators.add(view.id);
      room.ctx.moderatorSeen(view.id);
    } else if (!view.anonymous) {
      room.moderators.delete(view.id);
    }
    if (owner === undefined) room.names.set(key, view.id);
    const existing = room.members.get(view.id);
    const member = existing ?? { view, connections: new Set<ChatClient>() };
    member.connections.add(client);
    room.members.set(view.id, member);

    const policy = room.policy;
    client.send(
      welcomeFrame({
        you: view,
        room: room.name,
        users: [...room.members.values()].map((m) => m.view),
        history: [...room.recent],
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
