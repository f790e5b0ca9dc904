/**
 * The rooms page's list: every room of this server (GET /api/v1/rooms) with, for the live ones,
 * what the live listing adds (GET /api/v1/rooms/live: title, viewers, since when, whether a poster
 * frame exists). Live rooms come first, most viewers first, as the listing orders them.
 */
import type { LiveRoom } from '../../../src/contracts/lbWire.ts';
import { getJson } from '../lib/api.ts';

export interface RoomSummary {
  name: string;
  port: number;
  live: boolean;
  clients: number;
  viewers?: number;
}

/** One entry of GET /api/v1/rooms/live (docs/api.md, live listing). */
export type LiveEntry = Omit<LiveRoom, 'playlistUrl'>;

export interface ListedRoom {
  name: string;
  port: number;
  viewers: number;
  /** Present while the room is live. */
  live: LiveEntry | null;
}

/** A live room the listing did not answer for: its name for a title, no picture. */
function bareEntry(room: RoomSummary): LiveEntry {
  const viewers = room.viewers ?? room.clients;
  return { name: room.name, title: room.name, viewers, chatUsers: room.clients, liveSince: null, thumbnailUrl: null, port: room.port };
}

export async function loadRoomListing(): Promise<ListedRoom[]> {
  const [rooms, listing] = await Promise.all([
    getJson<RoomSummary[]>('/api/v1/rooms', 'The rooms'),
    // Without the listing the rooms still show, live ones first, only without their pictures.
    getJson<LiveEntry[]>('/api/v1/rooms/live', 'The live rooms').catch(() => null),
  ]);
  const live = listing ?? rooms.filter((room) => room.live).map(bareEntry);
  const liveByName = new Map(live.map((entry) => [entry.name, entry]));
  // The listing's order (most viewers first) for live rooms; the rooms API's order for the rest.
  const liveFirst = live.filter((entry) => rooms.some((room) => room.name === entry.name)).map((entry) => ({ name: entry.name, port: entry.port, viewers: entry.viewers, live: entry }));
  const others = rooms.filter((room) => !liveByName.has(room.name)).map((room) => ({ name: room.name, port: room.port, viewers: room.viewers ?? room.clients, live: null }));
  return [...liveFirst, ...others];
}

/** "live for 12 min", "live for 1 h 5 min" (a glance, not a clock). */
export function liveFor(since: string | null, now: number): string {
  if (since === null) return 'live';
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 1) return 'live for under a minute';
  if (minutes < 60) return `live for ${minutes} min`;
  return `live for ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
