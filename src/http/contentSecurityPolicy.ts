/**
 * The Content-Security-Policy of the pages. Scripts, styles and images come from the page's own
 * origin only (no inline code, no eval); the room pages also talk to the room ports (chat and
 * ingest WebSockets, HLS and /health over HTTP), which are other origins on the same host.
 */

/**
 * Room ports are listed one by one up to this many; beyond, `host:*`. CSP has no port ranges,
 * and a thousand-port list per host and scheme would outgrow the header size proxies accept.
 */
export const MAX_LISTED_PORTS = 8;

/** Host names and IPv4 addresses; what CSP cannot match (IPv6 literals, odd Host headers) is left out. */
const CSP_HOST = /^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*$/;

/** Schemes only, when no host of the page can be written in a host source. */
const ANY_ROOM_SCHEME = ['ws:', 'wss:', 'http:', 'https:'];

export interface RoomPortRange {
  readonly first: number;
  readonly last: number;
}

/** Whether a host (a Host header's name, PUBLIC_HOST) can be written in a CSP host source. */
export function isCspHost(host: string): boolean {
  return host.length <= 253 && CSP_HOST.test(host);
}

/** `scheme://host:port` sources for the room ports of each host, or scheme sources when no host fits. */
export function roomSources(hosts: readonly string[], ports: RoomPortRange, schemes: readonly string[]): string[] {
  const usable = [...new Set(hosts.map((host) => host.toLowerCase()))].filter(isCspHost);
  if (usable.length === 0) return ANY_ROOM_SCHEME.filter((scheme) => schemes.includes(scheme.slice(0, -1)));
  const count = ports.last - ports.first + 1;
  const portParts = count <= MAX_LISTED_PORTS ? Array.from({ length: count }, (_, i) => String(ports.first + i)) : ['*'];
  return usable.flatMap((host) => schemes.flatMap((scheme) => portParts.map((port) => `${scheme}://${host}:${port}`)));
}

function policy(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

const COMMON = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

/**
 * The policy of `/`, `/watch/:room` and `/broadcast/:room`. `hosts` are the names the page may
 * have been reached by (the request's host and PUBLIC_HOST): the pages build room URLs from their
 * own location, and so do the thumbnails of live rooms. hls.js plays through MediaSource (a
 * `blob:` media URL) and may run a worker from a `blob:`; Safari plays the room's playlist natively (media from the room port).
 */
export function roomPagePolicy(hosts: readonly string[], ports: RoomPortRange): string {
  return policy({
    ...COMMON,
    'connect-src': ["'self'", ...roomSources(hosts, ports, ['ws', 'wss', 'http', 'https'])],
    'media-src': ["'self'", 'blob:', ...roomSources(hosts, ports, ['http', 'https'])],
    // A room's poster frame (/thumbnail.jpg on its port): over the player while it loads, and on the rooms page's live cards.
    'img-src': ["'self'", ...roomSources(hosts, ports, ['http', 'https'])],
    'worker-src': ["'self'", 'blob:'],
  });
}

/** The admin page talks to its own origin only. */
export const ADMIN_PAGE_POLICY = policy({ ...COMMON, 'connect-src': ["'self'"] });
