import type { BanRecord } from '../contracts/records.js';
import { banIndexKey } from './banKeys.js';

/**
 * A worker's bans, indexed by the user key they apply to (a user id, or an address key in its
 * normal spelling: see banIndexKey).
 * Changed in place by the primary's deltas, so a new ban costs one insert, not a rebuild.
 */
export class BanIndex {
  readonly #byUser = new Map<string, BanRecord[]>();
  readonly #byId = new Map<string, BanRecord>();

  get size(): number {
    return this.#byId.size;
  }

  replaceAll(bans: readonly BanRecord[]): void {
    this.#byUser.clear();
    this.#byId.clear();
    for (const ban of bans) this.add(ban);
  }

  /** False when a ban with this id is there already. */
  add(ban: BanRecord): boolean {
    if (this.#byId.has(ban.id)) return false;
    this.#byId.set(ban.id, ban);
    const key = banIndexKey(ban.user);
    const list = this.#byUser.get(key);
    if (list) list.push(ban);
    else this.#byUser.set(key, [ban]);
    return true;
  }

  remove(id: string): void {
    const ban = this.#byId.get(id);
    if (!ban) return;
    this.#byId.delete(id);
    const key = banIndexKey(ban.user);
    const rest = (this.#byUser.get(key) ?? []).filter((other) => other.id !== id);
    if (rest.length > 0) this.#byUser.set(key, rest);
    else this.#byUser.delete(key);
  }

  /**
   * The first ban of `key` that holds in `room` at `now`. A user joining as a moderator is kept
   * out only by bans from the admin API: one moderator cannot lock out another.
   */
  find(key: string, room: string, now: number, moderator: boolean): BanRecord | undefined {
    return this.#byUser
      .get(key)
      ?.find((ban) => (ban.room === null || ban.room === room) && (ban.expiresAt === null || ban.expiresAt > now) && !(moderator && ban.by !== undefined));
  }
}
