import { limitKey, normalizeAddress } from '../net/addresses.js';

/** The user keys of address bans start with this; only the admin API may name one. */
export const ADDRESS_BAN_PREFIX = 'ip:';

/**
 * The user key a ban on an anonymous user's address is stored under: `ip:1.2.3.4`, or the /64
 * for IPv6 (`ip:2001:db8:1:2::/64`), since one subscriber holds the whole /64.
 */
export function ipBanKey(ip: string): string {
  return `${ADDRESS_BAN_PREFIX}${limitKey(ip)}`;
}

/**
 * A ban's user key in the form the lookups use: an `ip:` key an operator typed with another
 * spelling of the address (`ip:::ffff:127.0.0.1`, upper-case IPv6) matches all the same.
 */
export function banIndexKey(user: string): string {
  if (!user.startsWith(ADDRESS_BAN_PREFIX)) return user;
  const target = user.slice(ADDRESS_BAN_PREFIX.length);
  const [address, prefix] = target.split('/');
  if (prefix === '64' && address !== undefined && normalizeAddress(address)?.includes(':')) return ipBanKey(address);
  const normal = prefix === undefined ? normalizeAddress(target) : undefined;
  return normal === undefined ? user : `${ADDRESS_BAN_PREFIX}${normal}`;
}

/**
 * What a banned user is told: the ban's reason, or for an address ban (which also removes other
 * anonymous users who share the address) that their network address is banned.
 */
export function banReason(ban: { readonly user: string; readonly reason: string }): string | undefined {
  if (ban.user.startsWith(ADDRESS_BAN_PREFIX)) return `your network address is banned here${ban.reason ? ` (${ban.reason})` : ''}`;
  return ban.reason || undefined;
}

/** The index keys an anonymous user at this address is banned under: the exact address and, for IPv6, its /64. */
export function addressBanKeys(ip: string): string[] {
  const exact = banIndexKey(`${ADDRESS_BAN_PREFIX}${ip}`);
  const grouped = ipBanKey(ip);
  return grouped === exact ? [exact] : [exact, grouped];
}

/**
 * Why an `ip:` ban key cannot match anyone, or undefined when it can: lookups ask for a client's
 * exact address and its IPv6 /64, so only those two forms are accepted (a wider range would be
 * stored and silently never apply).
 */
export function addressBanProblem(user: string): string | undefined {
  if (!user.startsWith(ADDRESS_BAN_PREFIX)) return undefined;
  const target = user.slice(ADDRESS_BAN_PREFIX.length);
  const [address, prefix, extra] = target.split('/');
  const normal = address === undefined ? undefined : normalizeAddress(address);
  if (normal === undefined || extra !== undefined) return `${user} is not an address: use ip:ADDRESS or ip:IPV6-PREFIX::/64`;
  if (prefix === undefined) return undefined;
  if (prefix === '64' && normal.includes(':')) return undefined;
  return `${user}: address bans are one address or an IPv6 /64; wider ranges belong to the firewall`;
}
