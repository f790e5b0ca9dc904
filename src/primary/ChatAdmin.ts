import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/createLogger.js';
import { ApiError } from '../http/errors.js';
import type { Store } from '../store/Store.js';
import type { BanRecord, GlobalSettings, RevocationRecord } from '../store/records.js';
import type { DataCache } from './DataCache.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { WorkerPool } from './WorkerPool.js';

export type NewBan = Omit<BanRecord, 'id' | 'createdAt'>;

/**
 * Chat administration done by the primary: bans and settings (stored, then the cache is
 * refreshed at once and pushed to every worker), system messages and kicks (sent to workers).
 */
export class ChatAdmin {
  constructor(
    private readonly store: Store,
    private readonly cache: DataCache,
    private readonly pool: WorkerPool,
    private readonly rooms: RoomDirectory,
    private readonly logger: Logger,
  ) {}

  async addBan(input: NewBan): Promise<BanRecord> {
    const ban: BanRecord = { ...input, id: randomUUID(), createdAt: Date.now() };
    await this.#write(() => this.store.addBan(ban));
    this.logger.info({ ban }, 'ban added');
    await this.cache.refresh();
    return ban;
  }

  async removeBan(id: string): Promise<boolean> {
    const removed = await this.#write(() => this.store.removeBan(id));
    if (removed) await this.cache.refresh();
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
    await this.cache.refresh();
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
    await this.cache.refresh();
    return revocation;
  }

  /** Revocations still covering live tokens, from the cache. */
  listRevocations(): readonly RevocationRecord[] {
    return this.cache.snapshot().revocations ?? [];
  }

  /** A system message to one room, or to every room when `room` is undefined. */
  async system(text: string, room?: string): Promise<{ rooms: number; delivered: number }> {
    if (room !== undefined) {
      const entry = this.rooms.get(room);
      if (!entry) throw new ApiError('ROOM_NOT_FOUND');
      const channel = this.pool.slots[entry.slot]?.channel;
      if (!channel) throw new ApiError('WORKER_UNAVAILABLE');
      return channel.request('room.system', { room, text });
    }
    const total = { rooms: 0, delivered: 0 };
    for (const slot of this.pool.readySlots()) {
      const answer = await slot.channel?.request('room.system', { text });
      total.rooms += answer?.rooms ?? 0;
      total.delivered += answer?.delivered ?? 0;
    }
    return total;
  }

  async kick(room: string, user: string, reason: string): Promise<number> {
    const entry = this.rooms.get(room);
    if (!entry) throw new ApiError('ROOM_NOT_FOUND');
    const channel = this.pool.slots[entry.slot]?.channel;
    if (!channel) throw new ApiError('WORKER_UNAVAILABLE');
    return (await channel.request('room.kick', { room, user, reason })).connections;
  }

  async #write<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.logger.error({ err: error }, 'store write failed');
      throw new ApiError('STORE_UNAVAILABLE');
    }
  }
}
