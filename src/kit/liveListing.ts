import { createHash } from 'node:crypto';
import type { LiveRoom } from '../contracts/lbWire.js';
import { roomUrl } from './roomUrls.js';

/** What a live listing is made from: a room as its server knows it. */
export interface ListedRoomSource {
  readonly name: string;
  readonly port: number;
  readonly settings: { readonly [key: string]: unknown };
  readonly clients: number;
  readonly viewers: number;
  readonly live: boolean;
  readonly liveSince: number | null;
  readonly thumbnail: boolean;
}

/** The live rooms of a server as listings show them, on `host` (PUBLIC_HOST), most watched first. */
export function liveRooms(rooms: Iterable<ListedRoomSource>, host: string): LiveRoom[] {
  const listed: LiveRoom[] = [];
  for (const room of rooms) if (room.live) listed.push(liveRoom(room, host));
  return sortLiveRooms(listed);
}

export function liveRoom(room: ListedRoomSource, host: string): LiveRoom {
  return {
    name: room.name,
    title: typeof room.settings.title === 'string' ? room.settings.title : room.name,
    viewers: room.viewers,
    chatUsers: room.clients,
    liveSince: room.liveSince === null ? null : new Date(room.liveSince).toISOString(),
    thumbnailUrl: room.thumbnail ? roomUrl(host, room.port, '/thumbnail.jpg') : null,
    playlistUrl: roomUrl(host, room.port, '/hls/index.m3u8'),
    port: room.port,
  };
}

/** Most viewers first; then the longest live; then by name, so that equal figures keep one order. */
export function sortLiveRooms<T extends LiveRoom>(rooms: T[]): T[] {
  return rooms.sort((a, b) => b.viewers - a.viewers || (a.liveSince ?? '~').localeCompare(b.liveSince ?? '~') || a.name.localeCompare(b.name));
}

/** A strong ETag for a JSON body: the same listing always gets the same tag, on every server. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names `etag` (a list, weak forms and `*` included: RFC 9110 13.1.2). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}
