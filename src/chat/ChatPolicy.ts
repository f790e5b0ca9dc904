import { DEFAULT_SETTINGS, type BanRecord, type GlobalSettings } from '../contracts/records.js';
import type { BanIndex } from './BanIndex.js';
import { addressBanKeys } from './banKeys.js';
import type { RevocationIndex } from './RevocationIndex.js';
import { buildWordFilter, type WordFilter } from './textFilter.js';

/**
 * What the chat needs from the cached settings, bans and token revocations: the banned-word
 * filter compiled once per settings change, and the worker's ban and revocation indexes (shared,
 * changed in place by the primary's deltas). Nothing here reads the store.
 */
export class ChatPolicy {
  readonly chatRate: number;
  readonly chatBurst: number;
  readonly historySize: number;
  readonly welcomeText: string;
  readonly filter: WordFilter & { action: 'mask' | 'refuse' };
  readonly #bans: BanIndex;
  readonly #revocations: RevocationIndex;

  constructor(settings: GlobalSettings | undefined, defaults: { chatRate: number; chatBurst: number }, bans: BanIndex, revocations: RevocationIndex) {
    this.chatRate = settings?.chatRate ?? defaults.chatRate;
    this.chatBurst = settings?.chatBurst ?? defaults.chatBurst;
    this.historySize = settings?.historySize ?? DEFAULT_SETTINGS.historySize;
    this.welcomeText = settings?.welcomeText ?? '';
    this.filter = buildWordFilter(settings?.bannedWords ?? [], settings?.bannedWordsAction ?? 'mask');
    this.#bans = bans;
    this.#revocations = revocations;
  }

  /** Whether a token of this user issued at `issuedAtS` (the JWT's `iat`) was revoked for this room or every room. */
  tokenRevoked(userId: string, room: string, issuedAtS: number): boolean {
    return this.#revocations.revoked(userId, room, issuedAtS);
  }

  /**
   * The ban that keeps this user (or, for anonymous users, this address: exactly, or its IPv6
   * /64) out of the room, if any. `moderator`: the user joins as a moderator, whom only admin
   * bans keep out.
   */
  banFor(userId: string, ip: string | undefined, room: string, now = Date.now(), moderator = false): BanRecord | undefined {
    const direct = this.#bans.find(userId, room, now, moderator);
    if (direct || !ip) return direct;
    for (const key of addressBanKeys(ip)) {
      const ban = this.#bans.find(key, room, now, moderator);
      if (ban) return ban;
    }
    return undefined;
  }
}
