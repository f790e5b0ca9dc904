import type { BanRecord } from '../contracts/records.js';
import { ADDRESS_BAN_PREFIX, banReason } from './banKeys.js';
import type { ChatPolicy } from './ChatPolicy.js';
import type { Member, MemberDirectory, RoomBroadcast, RoomScope } from './roomPorts.js';

/**
 * Bans that reach the worker from the primary's cache (a snapshot or a delta, whoever gave
 * them): the members they cover are told and removed.
 */
export class BanEnforcement {
  readonly #room: RoomScope & RoomBroadcast;
  readonly #members: MemberDirectory;

  constructor(room: RoomScope & RoomBroadcast, members: MemberDirectory) {
    this.#room = room;
    this.#members = members;
  }

  /** A full snapshot: every member is looked at. */
  expelBanned(policy: ChatPolicy): void {
    for (const member of this.#members.list()) this.#expelIfBanned(member, policy);
  }

  /** New bans (a delta): only the members they name are looked at. */
  applyBans(bans: readonly BanRecord[], policy: ChatPolicy): void {
    for (const ban of bans) {
      if (ban.room !== null && ban.room !== this.#room.name) continue;
      if (ban.user.startsWith(ADDRESS_BAN_PREFIX)) {
        for (const member of this.#members.list()) if (member.view.anonymous) this.#expelIfBanned(member, policy);
      } else {
        const member = this.#members.get(ban.user);
        if (member) this.#expelIfBanned(member, policy);
      }
    }
  }

  #expelIfBanned(member: Member, policy: ChatPolicy): void {
    // Already on the way out (a moderator's ban told them): one notice each, not one per ban.
    if ([...member.connections].every((connection) => connection.closing)) return;
    const ip = [...member.connections][0]?.ip;
    const ban = policy.banFor(member.view.id, member.view.anonymous ? ip : undefined, this.#room.name, Date.now(), member.view.role === 'moderator');
    if (!ban) return;
    // The ban's reason goes with the close: a moderator's ban reaches the worker as a delta
    // before the moderator's own answer, so this is the close the banned user sees. An address
    // ban says so: it also removes other anonymous users who share the address.
    const reason = banReason(ban);
    const address = ban.user.startsWith(ADDRESS_BAN_PREFIX);
    this.#room.broadcast({ type: 'moderation', action: 'ban', user: member.view.id, name: member.view.name, reason: reason ?? null, ...(address ? { address: true } : {}) });
    this.#members.disconnectUser(member.view.id, 'BANNED', reason);
  }
}
