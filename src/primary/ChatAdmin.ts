import { randomUUID } from 'node:crypto';
import type { Logger } from '../kit/createLogger.js';
import { DomainError } from '../contracts/domainErrors.js';
import type { Store } from '../store/Store.js';
import type { PrimarySideChannel } from '../ipc/endpoints.js';
import type { BanAddResult, ModeratorBan, OperatorBan, RoomUser } from '../contracts/ipc.js';
import { ADDRESS_BAN_PREFIX } from '../chat/banKeys.js';
import type { BanRecord, GlobalSettings, RevocationRecord } from '../contracts/records.js';
import type { RaisedEvent } from '../contracts/webhookEvents.js';
import type { DataCache } from './DataCache.js';
import type { ModeratorRegistry } from './ModeratorRegistry.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { WorkerPool } from './WorkerPool.js';

export type NewBan = Omit<BanRecord, 'id' | 'createdAt'>;

/** Who acted, in the `by` of the moderation events the admin API raises. */
export const ADMIN_ACTOR = 'admin';

/** Where the moderation events of the admin API go: stored in the outbox, then delivered (never throws). */
export interface ModerationEvents {
  raise(events: readonly RaisedEvent[]): Promise<void>;
}

export interface ChatAdminLimits {
  /** Active bans chat moderators may set in one room (MAX_ROOM_BANS); the admin API is not bound by it. */
  readonly maxRoomBans: number;
}

/**
 * Chat administration done by the primary: bans and settings (stored, then pushed to every
 * worker as a change of the cache), system messages and kicks (sent to workers).
 */
export class ChatAdmin {
  /** Moderator bans being written, per room ('' for every room): counted against MAX_ROOM_BANS. */
  readonly #writingBans = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly cache: DataCache,
    private readonly pool: WorkerPool,
    private readonly rooms: RoomDirectory,
    private readonly moderators: ModeratorRegistry,
    private readonly limits: ChatAdminLimits,
    private readonly logger: Logger,
    private readonly events?: ModerationEvents,
  ) {}

  /**
   * A ban from the admin API: a user id or an address key, in one room or every room. Raises
   * `moderation.banned` (by "admin") once stored, as a chat moderator's ban does in the worker.
   */
  async addBan(input: NewBan): Promise<BanRecord> {
    const ban = await this.#store({ ...input, id: randomUUID(), createdAt: Date.now() });
    await this.events?.raise([
      {
        type: 'moderation.banned',
        room: ban.room,
        at: ban.createdAt,
        data: { room: ban.room, user: ban.user, by: ADMIN_ACTOR, reason: ban.reason, expiresAt: ban.expiresAt === null ? null : new Date(ban.expiresAt).toISOString() },
      },
    ]);
    return ban;
  }

  /**
   * A ban from a chat moderator (the worker checked the moderator's role and scope). Refused
   * when the target is known as a moderator, for address keys outside one room, and past the
   * room's cap.
   */
  async addModeratorBan(input: ModeratorBan): Promise<BanAddResult> {
    const log = this.logger.child({ moderator: input.by, target: input.user, room: input.room });
    const address = input.user.startsWith(ADDRESS_BAN_PREFIX);
    if (!address && this.moderators.has(input.user)) {
      log.info('ban refused: the target is a moderator');
      return { ok: false, code: 'FORBIDDEN', message: 'Moderators cannot ban moderators' };
    }
    if (address && input.room === null) return { ok: false, code: 'FORBIDDEN', message: 'Only the admin API bans addresses everywhere' };
    const scope = input.room ?? '';
    const writing = this.#writingBans.get(scope) ?? 0;
    if (this.cache.moderatorBanCount(input.room) + writing >= this.limits.maxRoomBans) {
      log.warn({ limit: this.limits.maxRoomBans }, 'ban refused: room ban limit reached');
      return { ok: false, code: 'BAN_LIMIT', message: `This room has ${this.limits.maxRoomBans} active bans; an operator must lift some first` };
    }
    // Bans being written count against the cap too, so concurrent requests cannot all pass it.
    this.#writingBans.set(scope, writing + 1);
    try {
      return { ok: true, ban: await this.#store({ ...input, id: randomUUID(), createdAt: Date.now() }) };
    } finally {
      const left = (this.#writingBans.get(scope) ?? 1) - 1;
      if (left > 0) this.#writingBans.set(scope, left);
      else this.#writingBans.delete(scope);
    }
  }

  /**
   * An operator's ban carried out by a room's worker (`room.ban`): never refused, stored as the
   * admin API's bans are (no `by`). The `moderation.banned` event is raised by banInRoom, once.
   */
  async addOperatorBan(input: OperatorBan): Promise<BanAddResult> {
    const { operator: _operator, ...ban } = input;
    return { ok: true, ban: await this.#store({ ...ban, id: randomUUID(), createdAt: Date.now() }) };
  }

  async removeBan(id: string): Promise<boolean> {
    const removed = await this.#write(() => this.store.removeBan(id));
    if (removed) {
      this.logger.info({ id }, 'ban lifted');
      this.cache.banRemoved(id);
    }
    return removed;
  }

  /** Active bans, from the cache (no store read). */
  listBans(): readonly BanRecord[] {
    const now = Date.now();
    return this.cache.snapshot().bans.filter((ban) => ban.expiresAt === null || ban.expiresAt > now);
  }

  settings(): GlobalSettings {
    return this.cache.snapshot().settings;
  }

  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    const settings = await this.#write(() => this.store.updateSettings(patch));
    this.logger.info({ patch }, 'settings changed');
    this.cache.settingsChanged(settings);
    return settings;
  }

  /**
   * Revokes every token of `user` (in `room`, or everywhere) issued up to now: stored, then pushed
   * to every worker, which refuses them at join and disconnects connections that joined with one.
   */
  async revokeTokens(user: string, room: string | null): Promise<RevocationRecord> {
    const revocation: RevocationRecord = { user, room, revokedAt: Date.now() };
    await this.#write(() => this.store.revokeTokens(revocation));
    this.logger.info({ revocation }, 'tokens revoked');
    this.cache.tokensRevoked(revocation);
    return revocation;
  }

  /** Revocations still covering live tokens, from the cache. */
  listRevocations(): readonly RevocationRecord[] {
    return this.cache.revocations();
  }

  /** A system message to one room, or to every room when `room` is undefined. */
  async system(text: string, room?: string): Promise<{ rooms: number; delivered: number }> {
    if (room !== undefined) {
      return this.#channelOf(room).request('room.system', { room, text });
    }
    const total = { rooms: 0, delivered: 0 };
    for (const slot of this.pool.readySlots()) {
      const answer = await slot.channel?.request('room.system', { text });
      total.rooms += answer?.rooms ?? 0;
      total.delivered += answer?.delivered ?? 0;
    }
    return total;
  }

  /**
   * Disconnects the user's connections in the room; raises `moderation.kicked` (by "admin").
   * USER_NOT_FOUND when the user has no connection there.
   */
  async kick(room: string, user: string, reason: string): Promise<number> {
    const { connections } = await this.#channelOf(room).request('room.kick', { room, user, reason });
    if (connections === 0) throw new DomainError('USER_NOT_FOUND', `${user} is not in room ${room}`);
    await this.events?.raise([{ type: 'moderation.kicked', room, at: Date.now(), data: { room, user, by: ADMIN_ACTOR, reason } }]);
    return connections;
  }

  /** Who is in the room now, as its worker sees them: up to `limit` of those whose name or id contains `q`, and how many match. */
  async users(room: string, limit: number, q?: string): Promise<{ users: RoomUser[]; total: number }> {
    const answer = await this.#channelOf(room).request('room.users', q === undefined ? { room, limit } : { room, q, limit });
    if (!answer.found) throw new DomainError('ROOM_NOT_FOUND', `no room ${room} in its worker`);
    return { users: answer.users, total: answer.total };
  }

  /** Mutes a user in the room for `duration` seconds; raises `moderation.muted` (by "admin"). USER_NOT_FOUND when the user is not there. */
  async mute(room: string, user: string, duration: number, reason: string | null): Promise<number> {
    const { until } = await this.#channelOf(room).request('room.mute', { room, user, duration, by: ADMIN_ACTOR, reason });
    if (until === null) throw new DomainError('USER_NOT_FOUND', `${user} is not in room ${room}`);
    await this.events?.raise([{ type: 'moderation.muted', room, at: Date.now(), data: { room, user, by: ADMIN_ACTOR, reason } }]);
    return until;
  }

  /**
   * Bans a user who is in the room, through the room's worker as a moderator's ban goes: the
   * room is told (by "admin"), the user removed, and an anonymous user's address banned in the
   * room too (their id lasts one connection). Raises `moderation.banned` (by "admin"). Returns
   * the bans stored; USER_NOT_FOUND when the user is not there.
   */
  async banInRoom(room: string, user: string, expiresAt: number | null, reason: string): Promise<BanRecord[]> {
    const { bans } = await this.#channelOf(room).request('room.ban', { room, user, expiresAt, by: ADMIN_ACTOR, reason });
    if (bans.length === 0) throw new DomainError('USER_NOT_FOUND', `${user} is not in room ${room}`);
    await this.events?.raise([
      {
        type: 'moderation.banned',
        room,
        at: Date.now(),
        data: { room, user, by: ADMIN_ACTOR, reason, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
      },
    ]);
    return bans;
  }

  /** Ends a room's broadcast now; the producer is disconnected with the reason and refused for a while. */
  async stopStream(room: string, reason: string | undefined): Promise<{ producer: string }> {
    const answer = await this.#channelOf(room).request('room.stopStream', reason === undefined ? { room } : { room, reason });
    if (!answer.found) throw new DomainError('ROOM_NOT_FOUND', `no room ${room} in its worker`);
    if (answer.producer === null) throw new DomainError('STREAM_NOT_LIVE', `nobody streams in room ${room}`);
    this.logger.info({ room, producer: answer.producer, reason }, 'stream stopped by an operator');
    return { producer: answer.producer };
  }

  /**
   * Ends a user's sessions in `room`, or in every room when it is undefined: chat connections
   * are told SESSION_ENDED with the reason and closed, a broadcast of theirs is stopped (as the
   * stream/stop route does) and the auth hook's cached answers about them are dropped.
   */
  async endSessions(user: string, room: string | undefined, reason: string): Promise<{ connections: number; streams: string[] }> {
    const channels = room === undefined ? this.pool.readySlots().flatMap((slot) => (slot.channel ? [slot.channel] : [])) : [this.#channelOf(room)];
    const answers = await Promise.all(channels.map((channel) => channel.request('user.endSessions', room === undefined ? { user, reason } : { user, room, reason })));
    const ended = { connections: answers.reduce((sum, answer) => sum + answer.connections, 0), streams: answers.flatMap((answer) => answer.streams) };
    this.logger.info({ user, room: room ?? null, reason, ...ended }, 'sessions ended by an operator');
    return ended;
  }

  /** The channel to the worker that holds the room. */
  #channelOf(room: string): PrimarySideChannel {
    const entry = this.rooms.get(room);
    if (!entry) throw new DomainError('ROOM_NOT_FOUND', `no room ${room}`);
    const channel = this.pool.slots[entry.slot]?.channel;
    if (!channel) throw new DomainError('WORKER_UNAVAILABLE', `the worker of room ${room} is not running`);
    return channel;
  }

  async #store(ban: BanRecord): Promise<BanRecord> {
    await this.#write(() => this.store.addBan(ban));
    this.logger.info({ ban }, 'ban added');
    this.cache.banAdded(ban);
    return ban;
  }

  async #write<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.logger.error({ err: error }, 'store write failed');
      throw new DomainError('STORE_UNAVAILABLE', 'the store did not take the write', { cause: error });
    }
  }
}
