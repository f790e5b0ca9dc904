import type { ChatClient } from './ChatClient.js';
import type { ChatRoom } from './ChatRoom.js';
import { ADDRESS_BAN_PREFIX, ipBanKey } from './banKeys.js';
import type { ClientFrame, UserView } from '../contracts/chatFrames.js';
import { TokenBucket } from '../kit/TokenBucket.js';

type ModerationFrame = Extract<ClientFrame, { type: 'kick' | 'mute' | 'ban' }>;

/** What a moderator names as `user` must look like a user id: a token `sub` (1-128 characters) without control characters. */
const USER_ID = /^[^\p{Cc}]{1,128}$/u;

/**
 * Whether the moderator may act at all: refusals are answered here and return false.
 * A room moderator acts in this room only: room bans, never address keys (the admin API's),
 * global bans only with a token minted for it, and never on a moderator.
 */
function allowed(room: ChatRoom, client: ChatClient, actor: UserView, frame: ModerationFrame): boolean {
  if (actor.role !== 'moderator') {
    room.sendError(client, 'FORBIDDEN', 'Only moderators may kick, mute or ban', frame.ref);
    return false;
  }
  client.moderationBucket ??= new TokenBucket(room.ctx.limits.moderationRate, room.ctx.limits.moderationBurst);
  if (!client.moderationBucket.take()) {
    room.ctx.counters.rateLimited += 1;
    // Logged once per flood, not once per refused frame.
    if (!client.moderationLimited) room.ctx.logger.info({ room: room.name, moderator: actor.id, action: frame.type }, 'moderation rate limited');
    client.moderationLimited = true;
    room.sendError(client, 'RATE_LIMITED', 'Too many kicks, mutes or bans; slow down', frame.ref);
    return false;
  }
  client.moderationLimited = false;
  // A moderator reaching past their room is worth a line in the log (at most MODERATION_RATE a second).
  const refuse = (message: string) => {
    room.ctx.logger.info({ room: room.name, moderator: actor.id, action: frame.type, target: frame.user.slice(0, 128), reason: message }, 'moderation refused');
    room.sendError(client, 'FORBIDDEN', message, frame.ref);
    return false;
  };
  if (frame.user.startsWith(ADDRESS_BAN_PREFIX)) return refuse('Addresses are banned through the admin API');
  if (!USER_ID.test(frame.user)) {
    room.sendError(client, 'INVALID_FIELD', 'user must be a user id', frame.ref);
    return false;
  }
  if (frame.user === actor.id) return refuse('Moderators cannot moderate themselves');
  if (room.members.get(frame.user)?.view.role === 'moderator' || room.moderators.has(frame.user)) return refuse('Moderators cannot moderate moderators');
  if (frame.type === 'ban' && frame.scope === 'global' && !client.globalModerator) return refuse('Room moderators ban in their room only');
  return true;
}

/**
 * kick / mute / ban from a moderator, rate limited per connection (MODERATION_RATE/BURST).
 * Every action is announced to the room with a `moderation` frame and logged.
 */
export async function handleModeration(room: ChatRoom, client: ChatClient, actor: UserView, frame: ModerationFrame): Promise<void> {
  if (!allowed(room, client, actor, frame)) return;
  const target = room.members.get(frame.user);
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
      const reason = frame.reason ?? `banned by ${actor.name}`;
      const announce = () => {
        room.broadcast({ ...base, action: 'ban', scope: frame.scope, until: expiresAt });
        room.disconnectUser(frame.user, 'BANNED', reason);
      };
      // An anonymous user's id lasts one connection: ban the address they came from too, in this
      // room only (an address may be shared by many people). An anonymous user is never a
      // moderator, so they leave first, told the moderator's reason (the address ban then removes
      // any other anonymous user at that address, told it was an address ban); the address ban
      // goes before the id's, so a refusal (the room's ban cap) reaches the moderator.
      if (target?.view.anonymous) {
        const addresses = new Set([...target.connections].map((connection) => ipBanKey(connection.ip)));
        announce();
        for (const user of addresses) {
          const result = await room.ctx.addBan({ user, room: room.name, reason, expiresAt, by: actor.id });
          if (!result.ok) return room.sendError(client, result.code, result.message, frame.ref);
        }
      }
      // Anyone else may turn out to be a moderator the primary knows of: banned (and told) only once the primary agrees.
      const result = await room.ctx.addBan({ user: frame.user, room: frame.scope === 'global' ? null : room.name, reason, expiresAt, by: actor.id });
      if (!result.ok) return room.sendError(client, result.code, result.message, frame.ref);
      if (!target?.view.anonymous) announce();
      log.info({ scope: frame.scope, expiresAt }, 'user banned');
      break;
    }
  }
  if (frame.ref !== undefined) client.send({ type: 'ok', ref: frame.ref });
}
