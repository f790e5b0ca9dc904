import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import os from 'node:os';
import { DomainError } from '../../contracts/domainErrors.js';

/** Where a webhook request goes: the URL, and the address it was checked to resolve to (the request connects to that one). */
export interface WebhookTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

export interface TargetRules {
  /** WEBHOOK_ALLOW_PRIVATE: loopback, private and link-local addresses are allowed... */
  readonly allowPrivate: boolean;
  /** ...but never this server's own API ports on them (a webhook posting to its own admin API). */
  readonly ownPorts: readonly number[];
}

const MAX_URL_LENGTH = 2_048;

/** Addresses no webhook may reach unless WEBHOOK_ALLOW_PRIVATE=1: loopback, private, link-local (cloud metadata lives there), shared, reserved, multicast. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isPrivateAddress(address: string): boolean {
  const plain = unmapped(address);
  return PRIVATE.check(plain.address, plain.family);
}

/**
 * The addresses that reach this host: "this host" (0.0.0.0/8, ::), loopback, and every
 * interface's. A BlockList matches an IPv4 rule in every IPv6 spelling of it too (::ffff:7f00:1,
 * as the URL parser writes [::ffff:127.0.0.1]), which string comparison did not.
 */
function ownAddresses(): BlockList {
  const own = new BlockList();
  own.addSubnet('0.0.0.0', 8, 'ipv4');
  own.addSubnet('127.0.0.0', 8, 'ipv4');
  own.addAddress('::', 'ipv6');
  own.addAddress('::1', 'ipv6');
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) {
      const plain = unmapped(entry.address.replace(/%.*$/, ''));
      own.addAddress(plain.address, plain.family);
    }
  }
  return own;
}

/** Checks the form of a webhook URL (no DNS): absolute http(s), no user:password, bounded length. Returns it normalised. */
export function parseWebhookUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) {
    throw new DomainError('WEBHOOK_URL_INVALID', `url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('WEBHOOK_URL_INVALID', `"${raw.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('WEBHOOK_URL_INVALID', `only http and https URLs are delivered to, not ${url.protocol}`);
  if (url.username || url.password) throw new DomainError('WEBHOOK_URL_INVALID', 'credentials in the URL are not allowed: authenticate requests by their signature');
  url.hash = '';
  return url;
}

/**
 * Resolves the URL's host and checks every address it has (a host with one private address
 * among public ones could be made to answer with it): refused with a DomainError otherwise.
 * Called when an endpoint is created or changed AND before each delivery (DNS can change).
 */
export async function resolveWebhookTarget(raw: string | URL, rules: TargetRules): Promise<WebhookTarget> {
  const url = typeof raw === 'string' ? parseWebhookUrl(raw) : raw;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
  } catch (error) {
    throw new DomainError('WEBHOOK_URL_UNRESOLVED', `${host} does not resolve: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (addresses.length === 0) throw new DomainError('WEBHOOK_URL_UNRESOLVED', `${host} has no address`);
  const own = ownAddresses();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  for (const { address } of addresses) {
    const isPrivate = isPrivateAddress(address);
    const plain = unmapped(address);
    const isOwn = own.check(plain.address, plain.family);
    if (isPrivate && !rules.allowPrivate) throw new DomainError('WEBHOOK_URL_FORBIDDEN', `${host} resolves to ${address}, a loopback, private, link-local or metadata address (WEBHOOK_ALLOW_PRIVATE=1 allows it)`);
    if (isOwn && rules.ownPorts.includes(port)) throw new DomainError('WEBHOOK_URL_FORBIDDEN', `${host}:${port} is this server's own API`);
    if (isOwn && !rules.allowPrivate) throw new DomainError('WEBHOOK_URL_FORBIDDEN', `${host} resolves to ${address}, this server`);
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
