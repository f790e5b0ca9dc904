import { LIMITS } from './protocol.js';
import { ADDRESS_BAN_PREFIX } from './banKeys.js';
import { banMember } from './banMember.js';
import type { BanRecord } from '../contracts/records.js';
import type { ClientFrame } from '../contracts/chatFrames.js';
import type { Connection, MemberDirectory, MuteBook, RoomBroadcast, RoomScope } from './roomPorts.js';
import { errorFrame } from './serverFrames.js';
import { type UserView } from '../contracts/chatFrames.js';
import { TokenBucket } from '../kit/TokenBucket.js';

export type ModerationFrame = Extract<ClientFrame, { type: 'kick' | 'mute' | 'ban' }>;
export type StopStreamFrame = Extract<ClientFrame, { type: 'stopStream' }>;

/** What a moderator names as `user` must look like a user id: a token `sub` without control characters. */
const USER_ID = new RegExp(`^[^\\p{Cc}]{1,${LIMITS.maxUserId}}$`, 'u');

/** A moderator connection's own rate; made at its first action, so other connections do not pay for it. */
interface ModeratorRate {
  readonly bucket: TokenBucket;
  /** The last action was refused for the rate (logged once per flood). */
  limited: boolean;
}

/**
 * kick / mute / ban from a moderator, rate limited per connection (MODERATION_RATE/BURST), and
 * an operator's mute and ban (admin API). Every action is announced to the room with a
 * `moderation` frame and logged. The room's mutes are kept here. Bans from the primary's cache are BanEnforcement's.
 */
export class Moderation implements MuteBook {
  readonly #room: RoomScope & RoomBroadcast;
  readonly #members: MemberDirectory;
  /** user id -> muted until (ms) */
  readonly #mutes = new Map<string, number>();
  readonly #rates = new WeakMap<Connection, ModeratorRate>();

  constructor(room: RoomScope & RoomBroadcast, members: MemberDirectory) {
    this.#room = room;
    this.#members = members;
  }

  mutedUntil(userId: string): number {
    return this.#mutes.get(userId) ?? 0;
  }

  /**
   * An operator's mute (admin API), announced to the room as a moderator's is (`by` is the
   * operator's actor name). Returns until when, or null when the user is not in the room.
   */
  muteByOperator(userId: string, durationS: number, by: string, reason: string | null): number | null {
    const target = this.#members.get(userId);
    if (!target) return null;
    const until = Date.now() + durationS * 1000;
    this.#mutes.set(userId, until);
    this.#room.broadcast({ type: 'moderation', action: 'mute', user: userId, name: target.view.name, by, reason, until });
    this.#room.ctx.logger.info({ room: this.#room.name, target: userId, by, until }, 'user muted by an operator');
    return until;
  }

  /**
   * An operator's ban (admin API) of a user in the room, carried out as a moderator's: announced
   * (`by` is the operator's actor name), the user removed, an anonymous user's address banned in
   * this room too. Never refused by the primary. Returns the bans stored, none when the user is
   * not in the room.
   */
  async banByOperator(userId: string, expiresAt: number | null, by: string, reason: string): Promise<readonly BanRecord[]> {
    const target = this.#members.get(userId);
    if (!target) return [];
    const outcome = await banMember(this.#room, this.#members, { user: userId, target, scope: 'room', reason, shownReason: reason, expiresAt, by, operator: true });
    if (!outcome.ok) throw new Error(`operator ban refused: ${outcome.message}`);
    this.#room.ctx.logger.info({ room: this.#room.name, target: userId, by, expiresAt, bans: outcome.bans.length }, 'user banned by an operator');
    return outcome.bans;
  }

  async handle(connection: Connection, actor: UserView, frame: ModerationFrame): Promise<void> {
    if (!this.#allowed(connection, actor, frame)) return;
    const room = this.#room;
    const target = this.#members.get(frame.user);
    // Bans may name users who are not here (to keep them out); kicks and mutes need them present.
    if (!target && frame.type !== 'ban') return void connection.send(errorFrame('USER_NOT_FOUND', undefined, frame.ref));

    const base = { type: 'moderation' as const, user: frame.user, name: target?.view.name ?? null, by: actor.id, reason: frame.reason ?? null };
    const log = room.ctx.logger.child({ room: room.name, moderator: actor.id, target: frame.user });
    switch (frame.type) {
      case 'kick':
        room.broadcast({ ...base, action: 'kick' });
        this.#members.disconnectUser(frame.user, 'KICKED', frame.reason);
        room.ctx.webhooks?.raise({ type: 'moderation.kicked', room: room.name, at: Date.now(), data: { room: room.name, user: frame.user, by: actor.id, reason: frame.reason ?? null } });
        log.info('user kicked');
        break;
      case 'mute': {
        const until = Date.now() + frame.duration * 1000;
        this.#mutes.set(frame.user, until);
        room.broadcast({ ...base, action: 'mute', until });
        room.ctx.webhooks?.raise({ type: 'moderation.muted', room: room.name, at: Date.now(), data: { room: room.name, user: frame.user, by: actor.id, reason: frame.reason ?? null } });
        log.info({ until }, 'user muted');
        break;
      }
      case 'ban': {
        const expiresAt = frame.duration === null ? null : Date.now() + frame.duration * 1000;
        const reason = frame.reason ?? `banned by ${actor.name}`;
        const order = { user: frame.user, target, scope: frame.scope, reason, shownReason: frame.reason ?? null, expiresAt, by: actor.id, operator: false };
        const outcome = await banMember(room, this.#members, order);
        if (!outcome.ok) return void connection.send(errorFrame(outcome.code, outcome.message, frame.ref));
        room.ctx.webhooks?.raise({
          type: 'moderation.banned',
          room: room.name,
          at: Date.now(),
          data: { room: frame.scope === 'global' ? null : room.name, user: frame.user, by: actor.id, reason, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
        });
        log.info({ scope: frame.scope, expiresAt }, 'user banned');
        break;
      }
    }
    if (frame.ref !== undefined) connection.send({ type: 'ok', ref: frame.ref });
  }

  /**
   * Ends the room's broadcast (the room announces it and refuses the producer for a while).
   * Moderators only, within their moderation rate.
   */
  stopStream(connection: Connection, actor: UserView, frame: StopStreamFrame): void {
    if (actor.role !== 'moderator') return void connection.send(errorFrame('FORBIDDEN', 'Only moderators may stop the stream', frame.ref));
    if (!this.#withinRate(connection, actor, frame)) return;
    const stopped = this.#room.ctx.stopStream?.(actor, frame.reason) ?? false;
    if (!stopped) return void connection.send(errorFrame('STREAM_NOT_LIVE', undefined, frame.ref));
    this.#room.ctx.logger.info({ room: this.#room.name, moderator: actor.id, reason: frame.reason }, 'stream stopped by a moderator');
    if (frame.ref !== undefined) connection.send({ type: 'ok', ref: frame.ref });
  }

  /**
   * Whether the moderator may act at all: refusals are answered here and return false.
   * A room moderator acts in this room only: room bans, never address keys (the admin API's),
   * global bans only with a token minted for it, and never on a moderator.
   */
  #allowed(connection: Connection, actor: UserView, frame: ModerationFrame): boolean {
    const { ctx, name: room } = this.#room;
    if (actor.role !== 'moderator') {
      connection.send(errorFrame('FORBIDDEN', 'Only moderators may kick, mute or ban', frame.ref));
      return false;
    }
    if (!this.#withinRate(connection, actor, frame)) return false;
    // A moderator reaching past their room is worth a line in the log (at most MODERATION_RATE a second).
    const refuse = (message: string) => {
      ctx.logger.info({ room, moderator: actor.id, action: frame.type, target: frame.user.slice(0, LIMITS.maxUserId), reason: message }, 'moderation refused');
      connection.send(errorFrame('FORBIDDEN', message, frame.ref));
      return false;
    };
    if (frame.user.startsWith(ADDRESS_BAN_PREFIX)) return refuse('Addresses are banned through the admin API');
    if (!USER_ID.test(frame.user)) {
      connection.send(errorFrame('INVALID_FIELD', 'user must be a user id', frame.ref));
      return false;
    }
    if (frame.user === actor.id) return refuse('Moderators cannot moderate themselves');
    if (this.#members.isModerator(frame.user)) return refuse('Moderators cannot moderate moderators');
    if (frame.type === 'ban' && frame.scope === 'global' && !connection.globalModerator) return refuse('Room moderators ban in their room only');
    return true;
  }

  #withinRate(connection: Connection, actor: UserView, frame: ModerationFrame | StopStreamFrame): boolean {
    const { ctx, name: room } = this.#room;
    let rate = this.#rates.get(connection);
    if (!rate) {
      rate = { bucket: new TokenBucket(ctx.limits.moderationRate, ctx.limits.moderationBurst), limited: false };
      this.#rates.set(connection, rate);
    }
    if (rate.bucket.take()) {
      rate.limited = false;
      return true;
    }
    ctx.counters.rateLimited += 1;
    // Logged once per flood, not once per refused frame.
    if (!rate.limited) ctx.logger.info({ room, moderator: actor.id, action: frame.type }, 'moderation rate limited');
    rate.limited = true;
    connection.send(errorFrame('RATE_LIMITED', 'Too many kicks, mutes or bans; slow down', frame.ref));
    return false;
  }
}
