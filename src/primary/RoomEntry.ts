import type { RoomActivity } from '../contracts/ipc.js';
import type { StreamIngest } from '../contracts/ingest.js';
import type { RoomRecord } from '../store/Store.js';
import type { RoomSettings } from '../contracts/records.js';

/** open: listening in its worker; opening: being started; down: its worker died; failed: could not start. */
export type RoomStatus = 'opening' | 'open' | 'down' | 'failed';

/** What the primary knows of one room: where it runs, and its activity as its worker last reported it. */
export interface RoomEntry {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly createdAt: number;
  slot: number;
  status: RoomStatus;
  /** Chat connections (reported by the worker when they change, as the other counts and `live`). */
  clients: number;
  /** Chat clients plus recent HLS players. */
  viewers: number;
  /** Messages accepted since the room opened in its current worker. */
  messages: number;
  live: boolean;
  /** When the broadcast went live; null when not live. */
  liveSince: number | null;
  /** The room port has a poster frame of the live stream. */
  thumbnail: boolean;
  ingest: StreamIngest | null;
  error: string | undefined;
}

/** A room on a worker, with nothing to count yet. */
export function newRoomEntry(record: RoomRecord, slot: number, status: RoomStatus): RoomEntry {
  const { name, port, settings, createdAt } = record;
  return { name, port, settings, createdAt, slot, status, clients: 0, viewers: 0, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null, error: undefined };
}

export function toRecord(room: RoomEntry): RoomRecord {
  return { name: room.name, port: room.port, settings: room.settings, createdAt: room.createdAt };
}

/** Takes a worker's report, or (none) forgets the activity of a room whose worker died. */
export function setActivity(room: RoomEntry, activity: Omit<RoomActivity, 'name' | 'epoch'> = { clients: 0, viewers: 0, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null }): void {
  room.clients = activity.clients;
  room.viewers = activity.viewers;
  room.messages = activity.messages;
  room.live = activity.live;
  room.liveSince = activity.liveSince;
  room.thumbnail = activity.thumbnail;
  room.ingest = activity.ingest;
}
