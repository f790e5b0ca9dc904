import type { CacheSnapshot } from '../ipc/messages.js';
import type { BanRecord } from '../store/records.js';
import { buildWordFilter, type WordFilter } from './textFilter.js';
import { limitKey, normalizeAddress } from '../net/addresses.js';

const IP_PREFIX = 'ip:';

/**
 * The user key a ban on an anonymous user's address is stored under: `ip:1.2.3.4`, or the /64
 * for IPv6 (`ip:2001:db8:1:2::/64`), since one subscriber holds the whole /64.
 */
export function ipBanKey(ip: string): string {
  return `${IP_PREFIX}${limitKey(ip)}`;
}

/**
 * A ban's user key in the form the lookups use: an `ip:` key an operator typed with another
 * spelling of the address (`ip:::ffff:127.0.0.1`, upper-case IPv6) matches all the same.
 */
function banIndexKey(user: string): string {
  if (!user.startsWith(IP_PREFIX)) return user;
  const target = user.slice(IP_PREFIX.length);
  const [address, prefix] = target.split('/');
  if (prefix === '64' && address !== undefined && normalizeAddress(address)?.includes(':')) return ipBanKey(address);
  const normal = prefix === undefined ? normalizeAddress(target) : undefined;
  return normal === undefined ? user : `${IP_PREFIX}${normal}`;
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
      const key = banIndexKey(ban.user);
      const list = this.#bans.get(key) ?? [];
      list.push(ban);
      this.#bans.set(key, list);
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

  /**
   * The ban that keeps this user (or, for anonymous users, this address: exactly, or its IPv6
   * /64) out of the room, if any.
   */
  banFor(userId: string, ip: string | undefined, room: string, now = Date.now()): BanRecord | undefined {
    const candidates = [...(this.#bans.get(userId) ?? [])];
    if (ip) {
      const exact = banIndexKey(`${IP_PREFIX}${ip}`);
      const grouped = ipBanKey(ip);
      candidates.push(...(this.#bans.get(exact) ?? []), ...(grouped === exact ? [] : (this.#bans.get(grouped) ?? [])));
    }
    return candidates.find((ban) => (ban.room === null || ban.room === room) && (ban.expiresAt === null || ban.expiresAt > now));
  }
}
