import type { CloseName } from '../contracts/closeCodes.js';
import type { Connection, Member, MemberDirectory, RoomBroadcast, RoomScope } from './roomPorts.js';
import { RoomNames, type SignedInName } from './RoomNames.js';
import { errorFrame } from './serverFrames.js';
import { type UserView } from '../contracts/chatFrames.js';

/**
 * Who is in the room: members by user id with every connection each has open, the names they
 * hold (RoomNames keeps them unique), and the `joined` / `left` frames the others get, once per
 * user however many connections the user has.
 */
export class Membership implements MemberDirectory {
  readonly #room: RoomScope & RoomBroadcast;
  readonly #members = new Map<string, Member>();
  readonly #names = new RoomNames();
  /**
   * Users whose last join in this room was with a moderator token: other moderators may not act
   * on them even after they left. Only KEY holders mint moderator tokens, so this stays small.
   */
  readonly #moderators = new Set<string>();

  constructor(room: RoomScope & RoomBroadcast) {
    this.#room = room;
  }

  get(userId: string): Member | undefined {
    return this.#members.get(userId);
  }

  list(): Member[] {
    return [...this.#members.values()];
  }

  /** Everyone present, for a welcome frame. */
  users(): UserView[] {
    return [...this.#members.values()].map((member) => member.view);
  }

  isModerator(userId: string): boolean {
    return this.#members.get(userId)?.view.role === 'moderator' || this.#moderators.has(userId);
  }

  /**
   * The view a joining user is shown with: the name they already have here, or a name settled
   * by RoomNames (an anonymous user holding a signed-in user's name is displaced). Undefined
   * when an anonymous user's name is taken.
   */
  settleName(view: UserView): UserView | undefined {
    const existing = this.#members.get(view.id);
    if (existing) return { ...view, name: existing.view.name };
    const named = this.#chooseName(view);
    if (!named) return undefined;
    if (named.displaced) this.#displace(named.displaced);
    return { ...view, name: named.name };
  }

  /**
   * Adds a joined connection as `view` (from settleName). Returns true when the user was not here
   * before: the caller welcomes the connection, then calls announceJoined.
   */
  add(connection: Connection, view: UserView): boolean {
    connection.user = view;
    // The last role a user joined this room with decides whether other moderators may act on them.
    if (view.role === 'moderator') {
      this.#moderators.add(view.id);
      this.#room.ctx.moderatorSeen(view.id);
    } else if (!view.anonymous) {
      this.#moderators.delete(view.id);
    }
    this.#names.take(view.name, view.id, !view.anonymous);
    const existing = this.#members.get(view.id);
    const member = existing ?? { view, connections: new Set<Connection>() };
    member.connections.add(connection);
    this.#members.set(view.id, member);
    if (!existing) this.#room.ctx.webhooks?.joined(this.#room.name, view);
    return !existing;
  }

  /** Tells everyone else a new user is here. */
  announceJoined(view: UserView, connection: Connection): void {
    this.#room.broadcast({ type: 'joined', user: view }, connection);
  }

  /** A joined connection closed: the user leaves (and the name is free) with their last connection. */
  leave(connection: Connection, announce: boolean): void {
    const user = connection.user;
    if (!user) return;
    const member = this.#members.get(user.id);
    if (!member) return;
    member.connections.delete(connection);
    if (member.connections.size > 0) return;
    this.#members.delete(user.id);
    this.#names.release(member.view.name, user.id);
    this.#room.ctx.webhooks?.left(this.#room.name, member.view);
    if (announce) this.#room.broadcast({ type: 'left', user: { id: user.id, name: user.name } });
  }

  disconnectUser(userId: string, close: CloseName, reason?: string): number {
    const member = this.#members.get(userId);
    if (!member) return 0;
    const connections = [...member.connections];
    for (const connection of connections) connection.close(close, reason);
    return connections.length;
  }

  /** The name the user is shown with, or undefined when an anonymous user's name is taken (see RoomNames). */
  #chooseName(view: UserView): SignedInName | undefined {
    if (view.anonymous) return this.#names.canTakeAnonymous(view.name) ? { name: view.name, displaced: undefined } : undefined;
    return this.#names.forSignedIn(view.id, view.name, (holder) => this.#members.get(holder)?.view.anonymous === true);
  }

  /** An anonymous user loses their name to a signed-in user: told why, then closed (4003, they may join again with another name). */
  #displace(userId: string): void {
    const member = this.#members.get(userId);
    if (!member) return;
    for (const connection of member.connections) {
      connection.send(errorFrame('NAME_TAKEN', 'A signed-in user has joined with this name; join again with another name'));
    }
    this.disconnectUser(userId, 'KICKED', 'name taken by a signed-in user');
    // Gone at once, so the signed-in user's welcome never lists two people with one name.
    this.#members.delete(userId);
    this.#room.broadcast({ type: 'left', user: { id: userId, name: member.view.name } });
    this.#room.ctx.logger.info({ room: this.#room.name, user: userId, name: member.view.name }, 'anonymous user gave up a name to a signed-in user');
  }
}
