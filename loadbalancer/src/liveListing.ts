import type { LiveRoom } from '../../src/contracts/lbWire.js';
import { sortLiveRooms } from '../../src/kit/liveListing.js';
import type { RegisteredServerState, ServerRecord } from './serverRecord.js';

/** A live room across servers: where it lives besides what its server lists. */
export interface LbLiveRoom extends LiveRoom {
  readonly server: string;
  readonly host: string;
}

/**
 * The live rooms of every server that still reports, most watched first; a name on two servers
 * counts once, from the one seen last (as the room directory does). A server older than the
 * live listing sends no `listing`: its live rooms are listed from what it does send (viewers are
 * its chat clients, no title, live-since or thumbnail).
 */
export function mergeLiveRooms(servers: ReadonlyArray<{ server: ServerRecord; state: RegisteredServerState }>): LbLiveRoom[] {
  const byName = new Map<string, { room: LbLiveRoom; seen: number }>();
  for (const { server, state } of servers) {
    if (state === 'stale') continue;
    for (const report of server.rooms) {
      if (!report.live) continue;
      const known = byName.get(report.name);
      if (known && known.seen >= server.lastSeen) continue;
      const listing: LiveRoom = report.listing ?? {
        name: report.name,
        title: report.name,
        viewers: report.clients,
        chatUsers: report.clients,
        liveSince: null,
        thumbnailUrl: null,
        playlistUrl: `http://${server.host}:${report.port}/hls/index.m3u8`,
        port: report.port,
      };
      byName.set(report.name, { room: { ...listing, server: server.id, host: server.host }, seen: server.lastSeen });
    }
  }
  return sortLiveRooms([...byName.values()].map((entry) => entry.room));
}
