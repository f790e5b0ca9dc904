import type { ChatClient } from './ChatClient.js';
import type { ChatRoom } from './ChatRoom.js';
import { ipBanKey } from './ChatPolicy.js';
import type { ClientFrame } from './protocol.js';
import type { UserView } from './serverFrames.js';

type ModerationFrame = Extract<ClientFrame, { type: 'kick' | 'mute' | 'ban' }>;

/**
 * kick / mute / ban from a moderator. Moderators cannot act on themselves or on other
 * moderators. Every action is announced to the room with a `moderation` frame.
 */
export async function handleModeration(room: ChatRoom, client: ChatClient, actor: UserView, frame: ModerationFrame): Promise<void> {
  if (actor.role !== 'moderator') return room.sendError(client, 'FORBIDDEN', 'Only moderators may kick, mute or ban', frame.ref);
  const target = room.members.get(frame.user);
  if (frame.user === actor.id) return room.sendError(client, 'FORBIDDEN', 'Moderators cannot moderate themselves', frame.ref);
  if (target?.view.role === 'moderator') return room.sendError(client, 'FORBIDDEN', 'Moderators cannot moderate moderators', frame.ref);
  // Bans may name users who are not here (to keep them out); kicks and mutes need them present.
  if (!target && frame.type !== 'ban') return room.sendError(client, 'USER_NOT_FOUND', undefined, frame.ref);

  const base = { type: 'moderation', user: frame.user, name: target?.view.name ?? null, by: actor.id, reason: frame.reason ?? null };
  const log = room.ctx.logger.child({ room: room.name, moderator: actor.id, target: frame.user });
  switch (frame.type) {
    case 'kick':
      room.broadcast({ ...base, action: 'kick' });
      room.disconnectUser(frame.user, 'KICKED', frame.reason);
      log.info('user kicked');
      break;
    case 'mute': {
      const until = Date.now() + frame.duration * 1000;
      room.mutes.set(frame.user, until);
      room.broadcast({ ...base, action: 'mute', until });
      log.info({ until }, 'user muted');
      break;
    }
    case 'ban': {
      const expiresAt = frame.duration === null ? null : Date.now() + frame.duration * 1000;
      const scopeRoom = frame.scope === 'global' ? null : room.name;
      const reason = frame.reason ?? `banned by ${actor.name}`;
      const users = [frame.user];
      // An anonymous user's id lasts one connection: ban the address they came from too.
      if (target?.view.anonymous) for (const connection of target.connections) users.push(ipBanKey(connection.ip));
      for (const user of new Set(users)) await room.ctx.addBan({ user, room: scopeRoom, reason, expiresAt });
      room.broadcast({ ...base, action: 'ban', scope: frame.scope, until: expiresAt });
      room.disconnectUser(frame.user, 'BANNED', reason);
      log.info({ scope: frame.scope, expiresAt }, 'user banned');
      break;
    }
  }
  if (frame.ref !== undefined) client.send({ type: 'ok', ref: frame.ref });
}
