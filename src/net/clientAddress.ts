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
  return forwardedClient(normalizeAddress(origin.socketAddress ?? '') ?? 'unknown', origin.headers, trusted);
}

/** clientAddress for a peer already normalised. */
function forwardedClient(peer: string, headers: IncomingHttpHeaders, trusted: AddressRanges): string {
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const header = headers['x-forwarded-for'];
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

/**
 * A worker's view of where connections come from: the socket's peer, whether that peer is one of
 * the trusted proxies (TRUST_PROXY), and a request's client address.
 */
export class ClientAddresses {
  readonly #trusted: AddressRanges;
  /**
   * Each socket's peer, normalised once: keep-alive players (LL-HLS: ten requests a second
   * each) ask on every request, and parsing an address is not free.
   */
  readonly #peers = new WeakMap<object, string>();

  constructor(trusted: AddressRanges) {
    this.#trusted = trusted;
  }

  /** The socket's peer, normalised (an IPv4-mapped `::ffff:a.b.c.d` is `a.b.c.d`). */
  peer(socket: { readonly remoteAddress?: string | undefined }): string {
    let peer = this.#peers.get(socket);
    if (peer === undefined) {
      peer = normalizeAddress(socket.remoteAddress ?? '') ?? 'unknown';
      // A socket not connected yet (or gone) has no address: not remembered.
      if (socket.remoteAddress !== undefined) this.#peers.set(socket, peer);
    }
    return peer;
  }

  /** Whether connections from this peer carry many clients (a trusted proxy), so only their forwarded address counts. */
  isTrustedProxy(peer: string): boolean {
    return this.#trusted.size > 0 && this.#trusted.has(peer);
  }

  /** The request's client address (behind a trusted proxy: from X-Forwarded-For). */
  of(req: { readonly socket: { readonly remoteAddress?: string | undefined }; readonly headers: IncomingHttpHeaders }): string {
    return forwardedClient(this.peer(req.socket), req.headers, this.#trusted);
  }
}
