import type { BanRecord, GlobalSettings } from '../store/records.js';
import { BanIndex } from './BanIndex.js';
import { buildWordFilter, type WordFilter } from './textFilter.js';

/** The user keys of address bans start with this; only the admin API may name one. */
export const ADDRESS_BAN_PREFIX = 'ip:';

/** The user key a ban on an anonymous user's address is stored under. */
export function ipBanKey(ip: string): string {
  return `ip:${ip}`;
}

/**
 * What the chat needs from the cached settings and bans: the banned-word filter compiled once
 * per settings change, and the worker's ban index (shared, changed in place by ban deltas).
 * Nothing here reads the store.
 */
export class ChatPolicy {
  readonly chatRate: number;
  readonly chatBurst: number;
  readonly historySize: number;
  readonly welcomeText: string;
  readonly filter: WordFilter & { action: 'mask' | 'refuse' };
  readonly #bans: BanIndex;

  constructor(settings: GlobalSettings | undefined, defaults: { chatRate: number; chatBurst: number }, bans: BanIndex | readonly BanRecord[] = []) {
    this.chatRate = settings?.chatRate ?? defaults.chatRate;
    this.chatBurst = settings?.chatBurst ?? defaults.chatBurst;
    this.historySize = settings?.historySize ?? 50;
    this.welcomeText = settings?.welcomeText ?? '';
    this.filter = buildWordFilter(settings?.bannedWords ?? [], settings?.bannedWordsAction ?? 'mask');
    if (bans instanceof BanIndex) {
      this.#bans = bans;
    } else {
      this.#bans = new BanIndex();
      this.#bans.replaceAll(bans);
    }
  }

  /**
   * The ban that keeps this user (or, for anonymous users, this address) out of the room, if
   * any. `moderator`: the user joins as a moderator, whom only admin bans keep out.
   */
  banFor(userId: string, ip: string | undefined, room: string, now = Date.now(), moderator = false): BanRecord | undefined {
    return this.#bans.find(userId, room, now, moderator) ?? (ip ? this.#bans.find(ipBanKey(ip), room, now, moderator) : undefined);
  }
}
