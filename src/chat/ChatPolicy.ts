import type { CacheSnapshot } from '../ipc/messages.js';
import type { BanRecord } from '../store/records.js';
import { buildWordFilter, type WordFilter } from './textFilter.js';

/** The user key a ban on an anonymous user's address is stored under. */
export function ipBanKey(ip: string): string {
  return `ip:${ip}`;
}

function revocationKey(user: string, room: string | null): string {
  return room === null ? user : `${user}\u0000${room}`;
}

/**
 * What the chat needs from the cached settings and bans, prepared once per snapshot: the
 * banned-word filter compiled, the bans indexed by user. Nothing here reads the store.
 */
export class ChatPolicy {
  readonly chatRate: number;
  readonly chatBurst: number;
  readonly historySize: number;
  readonly welcomeText: string;
  readonly filter: WordFilter & { action: 'mask' | 'refuse' };
  readonly version: number;
  readonly #bans = new Map<string, BanRecord[]>();
  /** `user` or `user room` -> tokens issued at or before this time (ms) are revoked. */
  readonly #revokedAt = new Map<string, number>();

  constructor(snapshot: CacheSnapshot | undefined, defaults: { chatRate: number; chatBurst: number }) {
    const settings = snapshot?.settings;
    this.version = snapshot?.version ?? 0;
    this.chatRate = settings?.chatRate ?? defaults.chatRate;
    this.chatBurst = settings?.chatBurst ?? defaults.chatBurst;
    this.historySize = settings?.historySize ?? 50;
    this.welcomeText = settings?.welcomeText ?? '';
    this.filter = buildWordFilter(settings?.bannedWords ?? [], settings?.bannedWordsAction ?? 'mask');
    for (const ban of snapshot?.bans ?? []) {
      const list = this.#bans.get(ban.user) ?? [];
      list.push(ban);
      this.#bans.set(ban.user, list);
    }
    for (const revocation of snapshot?.revocations ?? []) {
      this.#revokedAt.set(revocationKey(revocation.user, revocation.room), revocation.revokedAt);
    }
  }

  /**
   * Whether a token of this user issued at `issuedAtS` (the JWT's `iat`, seconds) was revoked for
   * this room or every room. A token issued in the same second as the revocation is revoked too.
   */
  tokenRevoked(userId: string, room: string, issuedAtS: number): boolean {
    const revokedAt = Math.max(this.#revokedAt.get(revocationKey(userId, null)) ?? -1, this.#revokedAt.get(revocationKey(userId, room)) ?? -1);
    return issuedAtS * 1000 <= revokedAt;
  }

  /** The ban that keeps this user (or, for anonymous users, this address) out of the room, if any. */
  banFor(userId: string, ip: string | undefined, room: string, now = Date.now()): BanRecord | undefined {
    const candidates = [...(this.#bans.get(userId) ?? []), ...(ip ? (this.#bans.get(ipBanKey(ip)) ?? []) : [])];
    return candidates.find((ban) => (ban.room === null || ban.room === room) && (ban.expiresAt === null || ban.expiresAt > now));
  }
}
