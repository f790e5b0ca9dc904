import type { IncomingHttpHeaders } from 'node:http';
import { normalizeAddress, type AddressRanges } from './addresses.js';

/** Where a request came from: the socket's peer, and the headers a trusted proxy may have set. */
export interface RequestOrigin {
  readonly socketAddress: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The client's address, normalised. Behind trusted proxies (TRUST_PROXY) it is the right-most
 * address in `X-Forwarded-For` that is not itself a trusted proxy: each proxy appends the
 * address it saw, so entries left of the first untrusted one may be forged by the client.
 * Without trusted proxies, or when the peer is not one, the header is ignored entirely.
 */
export function clientAddress(origin: RequestOrigin, trusted: AddressRanges): string {
  const peer = normalizeAddress(origin.socketAddress ?? '') ?? 'unknown';
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const header = origin.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = normalizeAddress(hops[i]!);
    // A malformed entry cannot be checked: the last proxy that could be is the client.
    if (hop === undefined) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}
