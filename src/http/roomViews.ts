import type { RoomInfo } from './AppContext.js';

/** A room as the public API shows it. */
export function publicRoomView(room: RoomInfo) {
  return {
    name: room.name,
    port: room.port,
    clients: room.clients,
    viewers: room.viewers,
    live: room.live,
    /** The producer's ingest: protocol, bitrate, keyframe interval and warnings (null when nobody streams). */
    ingest: room.ingest,
    status: room.status,
    createdAt: new Date(room.createdAt).toISOString(),
    /** The `epoch` claim join tokens for this room must carry (milliseconds; changes when the room is created again). */
    epoch: room.createdAt,
  };
}

/** A room as the admin API shows it: where it runs and why it is down. */
export function adminRoomView(room: RoomInfo, workerPid: number | undefined) {
  return { ...publicRoomView(room), messages: room.messages, worker: room.slot, workerPid: workerPid ?? null, error: room.error ?? null };
}
