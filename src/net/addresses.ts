import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Client addresses in one form, whatever the socket or a proxy header gave: IPv4 as dotted
 * quads (an IPv4-mapped `::ffff:1.2.3.4` becomes `1.2.3.4`, as a dual-stack listener on `::`
 * reports IPv4 clients), IPv6 in its canonical text form (RFC 5952: lower case, no leading
 * zeros, the longest run of zero groups as `::`). Bans, limits and viewer counts all key on it.
 */
export function normalizeAddress(raw: string): string | undefined {
  let text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (isIPv4(text)) return text;
  if (!isIPv6(text)) return undefined;
  const groups = ipv6Groups(text);
  if (isIpv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  return formatIpv6(groups);
}

/**
 * The key per-address limits and anonymous bans use: the IPv4 address itself, or the /64 an
 * IPv6 address is in (one subscriber usually holds a whole /64, so per-address limits on
 * IPv6 would be walked around by changing the interface id).
 */
export function limitKey(address: string): string {
  const normal = normalizeAddress(address);
  if (normal === undefined || isIPv4(normal)) return normal ?? address;
  const groups = ipv6Groups(normal);
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** A set of addresses and CIDR ranges (IPv4 and IPv6), as TRUST_PROXY lists them. */
export class AddressRanges {
  readonly size: number;
  readonly #list = new BlockList();

  /** Throws on an entry that is not an address or CIDR range (the config checks with parseRange first). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const range = parseRange(entry);
      if (!range) throw new Error(`not an address or CIDR range: ${entry}`);
      this.#list.addSubnet(range.address, range.prefix, range.family);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const normal = normalizeAddress(address);
    if (normal === undefined) return false;
    return this.#list.check(normal, isIPv4(normal) ? 'ipv4' : 'ipv6');
  }
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address (a /32 or /128); undefined when malformed. */
export function parseRange(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [rawAddress, rawPrefix, extra] = entry.trim().split('/');
  if (rawAddress === undefined || extra !== undefined) return undefined;
  const address = normalizeAddress(rawAddress);
  if (address === undefined) return undefined;
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  if (rawPrefix === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(rawPrefix) || Number(rawPrefix) > max) return undefined;
  return { address, prefix: Number(rawPrefix), family };
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail included). */
function ipv6Groups(text: string): number[] {
  let head = text.toLowerCase();
  const lastColon = head.lastIndexOf(':');
  const last = head.slice(lastColon + 1);
  if (last.includes('.')) {
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    head = `${head.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = head.indexOf('::');
  if (gap === -1) return parse(head);
  const before = parse(head.slice(0, gap));
  const after = parse(head.slice(gap + 2));
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
