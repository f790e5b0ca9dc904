import type { RoomInfo } from './AppContext.js';
import { publishUrls, type PublishCapabilities } from './publishUrls.js';

/** Where the server's rooms are reached from outside (PUBLIC_HOST) and what they take. */
export interface RoomViewContext {
  readonly host: string;
  readonly capabilities: PublishCapabilities;
}

/** A room as the public API shows it. */
export function publicRoomView(room: RoomInfo, context: RoomViewContext) {
  return {
    name: room.name,
    port: room.port,
    clients: room.clients,
    viewers: room.viewers,
    live: room.live,
    /** The producer's ingest: protocol, bitrate, keyframe interval and warnings (null when nobody streams). */
    ingest: room.ingest,
    /** Where a producer publishes (the producer token is the key everywhere). */
    publish: publishUrls(context.host, room.port, context.capabilities),
    status: room.status,
    createdAt: new Date(room.createdAt).toISOString(),
    /** The `epoch` claim join tokens for this room must carry (milliseconds; changes when the room is created again). */
    epoch: room.createdAt,
  };
}

/** A room as the admin API shows it: where it runs and why it is down. */
export function adminRoomView(room: RoomInfo, workerPid: number | undefined, context: RoomViewContext) {
  return { ...publicRoomView(room, context), messages: room.messages, worker: room.slot, workerPid: workerPid ?? null, error: room.error ?? null };
}

/** The view context of a request: PUBLIC_HOST and what the server takes now. */
export async function roomViewContext(ctx: { readonly config: { readonly publicHost: string }; readonly ingest: () => Promise<PublishCapabilities> }): Promise<RoomViewContext> {
  return { host: ctx.config.publicHost, capabilities: await ctx.ingest() };
}
