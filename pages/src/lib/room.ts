/**
 * What the room pages share: the room from the URL, the room from the public API, and URLs on the
 * room's own port (chat, ingest and HLS live there, on the same host as the page).
 */
import { getJson } from './api.ts';

/** The last path segment: `/watch/:room`, `/broadcast/:room`. */
export function roomFromPath(): string {
  return decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
}

/** GET /api/v1/room/:room (docs/api.md): the fields the pages use. */
export interface RoomInfo {
  name: string;
  port: number;
  clients: number;
  viewers: number;
  live: boolean;
  status: string;
}

export function loadRoom(room: string): Promise<RoomInfo> {
  return getJson<RoomInfo>(`/api/v1/room/${encodeURIComponent(room)}`, 'The room');
}

/** A URL on the room's port: `kind` is 'ws' for WebSockets, 'http' otherwise. */
export function roomUrl(port: number, path: string, kind: 'ws' | 'http' = 'http'): string {
  const secure = location.protocol === 'https:';
  const scheme = kind === 'ws' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  return `${scheme}://${location.hostname}:${port}${path}`;
}

/** The page's `?token=` (a join token from the site), if any. */
export function tokenFromQuery(): string | undefined {
  return new URLSearchParams(location.search).get('token') ?? undefined;
}
