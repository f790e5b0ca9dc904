/**
 * The peer's address as the room port's per-address limits count it. IPv4 clients of a dual-stack
 * listener appear as IPv4-mapped IPv6 (`::ffff:192.0.2.1`); they count as the plain IPv4 address.
 */
export function socketAddress(socket: { readonly remoteAddress?: string | undefined }): string {
  const address = socket.remoteAddress;
  if (address === undefined) return 'unknown';
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
