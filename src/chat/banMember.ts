import type { BanAddResult } from '../contracts/ipc.js';
import type { BanRecord } from '../contracts/records.js';
import { ipBanKey } from './banKeys.js';
import type { Member, MemberDirectory, RoomBroadcast, RoomScope } from './roomPorts.js';

/** A ban of one user from a room (or every room), by a chat moderator or an operator. */
export interface BanOrder {
  readonly user: string;
  /** The user as a member of the room, when they are here. */
  readonly target: Member | undefined;
  readonly scope: 'room' | 'global';
  /** The reason stored and told to the banned user. */
  readonly reason: string;
  /** The reason the room's `moderation` frame shows (null: none was given). */
  readonly shownReason: string | null;
  /** null: until lifted. */
  readonly expiresAt: number | null;
  /** Who the room is told banned them: a moderator's user id, or the operator's actor name. */
  readonly by: string;
  /**
   * An operator's ban (admin API): stored as the admin API's bans are (no `by`, so it keeps
   * moderators out too) and never refused; a moderator's is stored with `by` and may be refused.
   */
  readonly operator: boolean;
}

export type BanOutcome = { readonly ok: true; readonly bans: readonly BanRecord[] } | Extract<BanAddResult, { ok: false }>;

/**
 * Stores the ban through the primary, tells the room and removes the user. An anonymous user's
 * id lasts one connection, so the address they came from is banned too, in this room only (an
 * address may be shared by many people).
 */
export async function banMember(room: RoomScope & RoomBroadcast, members: MemberDirectory, order: BanOrder): Promise<BanOutcome> {
  const { user, target, reason, expiresAt } = order;
  const announce = () => {
    room.broadcast({ type: 'moderation', action: 'ban', user, name: target?.view.name ?? null, by: order.by, reason: order.shownReason, scope: order.scope, until: expiresAt });
    members.disconnectUser(user, 'BANNED', reason);
  };
  const store = (key: string, scope: string | null) =>
    room.ctx.addBan(order.operator ? { user: key, room: scope, reason, expiresAt, operator: true } : { user: key, room: scope, reason, expiresAt, by: order.by });
  const bans: BanRecord[] = [];
  // An anonymous user is never a moderator, so they leave first, told the ban's reason (the
  // address ban then removes any other anonymous user at that address, told it was an address
  // ban); the address ban goes before the id's, so a refusal (the room's ban cap) reaches the
  // moderator.
  if (target?.view.anonymous) {
    const addresses = new Set([...target.connections].map((connection) => ipBanKey(connection.ip)));
    announce();
    for (const address of addresses) {
      const result = await store(address, room.name);
      if (!result.ok) return result;
      bans.push(result.ban);
    }
  }
  // Anyone else may turn out to be a moderator the primary knows of: banned (and told) only once the primary agrees.
  const result = await store(user, order.scope === 'global' ? null : room.name);
  if (!result.ok) return result;
  bans.push(result.ban);
  if (!target?.view.anonymous) announce();
  return { ok: true, bans };
}
