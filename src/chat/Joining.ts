import { randomBytes } from 'node:crypto';
import type { RoomSettings } from '../contracts/records.js';
import { banReason } from './banKeys.js';
import { CHAT_LIMITS } from './chatLimits.js';
import type { Membership } from './Membership.js';
import { cleanName } from './names.js';
import { askJoinHook } from './JoinHook.js';
import { SessionExpiry } from './SessionExpiry.js';
import { LIMITS } from './protocol.js';
import { type ClientFrame } from '../contracts/chatFrames.js';
import type { RoomHistory } from './RoomHistory.js';
import type { Connection, RoomScope } from './roomPorts.js';
import { errorFrame, welcomeFrame } from './serverFrames.js';
import { type StreamState, type UserView } from '../contracts/chatFrames.js';
import type { VerifyResult } from './tokens.js';

type JoinFrame = Extract<ClientFrame, { type: 'join' }>;

/** What joining needs from its room besides the members. */
export interface JoinRoom extends RoomScope {
  readonly settings: RoomSettings;
  readonly stream: StreamState;
  readonly history: Pick<RoomHistory, 'ready' | 'newest'>;
  /** Checks a join token for this room (signature, expiry, room, epoch, revocations). */
  verifyToken(token: string): Promise<VerifyResult>;
}

/** What joining does with the room's members (Membership). */
export type JoinMembers = Pick<Membership, 'settleName' | 'add' | 'announceJoined' | 'users'>;

/**
 * How a connection becomes a member: it must send `join` within the join timeout; the join is
 * checked (token or anonymous name, bans, name uniqueness), then the connection gets `welcome`
 * and the others `joined` (see Membership).
 */
export class Joining {
  readonly #room: JoinRoom;
  readonly #members: JoinMembers;
  /** Connections that have not joined yet, with when they connected: one sweep checks them all instead of a timer each. */
  readonly #awaiting = new Map<Connection, number>();
  #sweep: NodeJS.Timeout | undefined;
  /** Joins being checked (token verification is async): a second join on the connection meanwhile is refused. */
  readonly #checking = new Set<Connection>();
  /** Joined connections the site's hook allowed until a time. */
  readonly #expiry = new SessionExpiry();

  constructor(room: JoinRoom, members: JoinMembers) {
    this.#room = room;
    this.#members = members;
  }

  /** A new connection: closed (4002) unless it joins within the join timeout. */
  expect(connection: Connection): void {
    this.#awaiting.set(connection, Date.now());
    this.#sweep ??= setInterval(() => this.#sweepJoins(), CHAT_LIMITS.joinSweepMs).unref();
  }

  /** The connection closed. */
  forget(connection: Connection): void {
    this.#awaiting.delete(connection);
    this.#expiry.forget(connection);
  }

  /** The room closed: no more sweeps. Safe to call twice. */
  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** Handles `join`: identity, bans, name uniqueness, then `welcome` to the connection and `joined` to the others. */
  async join(connection: Connection, frame: JoinFrame): Promise<void> {
    if (connection.user || this.#checking.has(connection)) return void connection.send(errorFrame('ALREADY_JOINED', undefined, frame.ref));
    this.#checking.add(connection);
    try {
      await this.#admit(connection, frame);
    } finally {
      this.#checking.delete(connection);
    }
  }

  async #admit(connection: Connection, frame: JoinFrame): Promise<void> {
    const { ctx, name: room } = this.#room;
    const identity = await this.#identify(connection, frame);
    if (!identity || !connection.open) return;

    const { view: claimed, globalModerator } = identity;
    const ban = ctx.policy().banFor(claimed.id, claimed.anonymous ? connection.ip : undefined, room, Date.now(), claimed.role === 'moderator');
    if (ban) {
      const reason = banReason(ban);
      connection.send(errorFrame('BANNED', undefined, frame.ref, { until: ban.expiresAt, scope: ban.room === null ? 'global' : 'room', reason: reason ?? null }));
      connection.close('BANNED', reason);
      return;
    }

    // The site's hook, when there is one: no await on a join without it.
    const hook = ctx.authHook;
    const hooked = hook === undefined ? { view: claimed, expiresAt: undefined } : await askJoinHook(hook, room, connection, claimed, frame.ref);
    if (!hooked || !connection.open) return;

    await this.#room.history.ready;
    if (!connection.open) return;
    // Names are settled after the last await, so two joins cannot both take one.
    const view = this.#members.settleName(hooked.view);
    if (!view) return void connection.send(errorFrame('NAME_TAKEN', undefined, frame.ref));
    connection.globalModerator = globalModerator && view.role === 'moderator';
    const isNew = this.#members.add(connection, view);
    if (hooked.expiresAt !== undefined) this.#expiry.arm(connection, hooked.expiresAt);

    const policy = ctx.policy();
    connection.send(
      welcomeFrame({
        you: view,
        room,
        users: this.#members.users(),
        history: [...this.#room.history.newest()],
        stream: this.#room.stream,
        welcomeText: policy.welcomeText,
        limits: { maxText: LIMITS.maxText, rate: policy.chatRate, burst: policy.chatBurst },
        ref: frame.ref,
      }),
    );
    if (isNew) this.#members.announceJoined(view, connection);
  }

  /** Works out who the client is: from its token, or as an anonymous viewer with a name. Refusals are answered here. */
  async #identify(connection: Connection, frame: JoinFrame): Promise<{ view: UserView; globalModerator: boolean } | undefined> {
    if (frame.token !== undefined) {
      const result = await this.#room.verifyToken(frame.token);
      if (!result.ok) {
        connection.send(errorFrame(result.code, result.message, frame.ref));
        connection.close('AUTH_FAILED', result.message);
        return undefined;
      }
      const { sub, name, role, iat, globalModerator } = result.claims;
      connection.tokenIssuedAt = iat;
      return { view: { id: sub, name: cleanName(name) ?? sub.slice(0, LIMITS.maxName), role, anonymous: false }, globalModerator };
    }
    if (this.#room.settings.anonymous === false) {
      connection.send(errorFrame('ANONYMOUS_NOT_ALLOWED', undefined, frame.ref));
      connection.close('AUTH_FAILED', 'this room needs a token');
      return undefined;
    }
    const name = frame.name === undefined ? undefined : cleanName(frame.name);
    if (!name) {
      connection.send(errorFrame('NAME_INVALID', undefined, frame.ref));
      return undefined;
    }
    return { view: { id: `anon-${randomBytes(6).toString('hex')}`, name, role: 'viewer', anonymous: true }, globalModerator: false };
  }

  /** Closes connections that connected more than joinTimeoutMs ago and have still not joined. */
  #sweepJoins(): void {
    const deadline = Date.now() - this.#room.ctx.limits.joinTimeoutMs;
    for (const [connection, connectedAt] of this.#awaiting) {
      if (connection.user || connection.closing) {
        this.#awaiting.delete(connection);
      } else if (connectedAt <= deadline) {
        this.#awaiting.delete(connection);
        connection.close('JOIN_TIMEOUT');
      }
    }
    if (this.#awaiting.size === 0) this.stop();
  }
}
