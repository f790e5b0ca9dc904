import { ChatTestClient } from './ChatTestClient.js';
import type { ServerProcess } from './ServerProcess.js';

type Hook = (fn: () => void) => void;

/**
 * Chat clients watching a test file's rooms (`rooms`: name -> port, filled by the file), each
 * named after how many joined before it, all closed after the file.
 */
export function roomWatchers(afterAll: Hook) {
  const rooms: Record<string, number> = {};
  const clients: ChatTestClient[] = [];
  afterAll(() => {
    for (const client of clients) client.close();
  });
  const join = async (room: string) => {
    const joined = await ChatTestClient.join(rooms[room]!, { name: `viewer${clients.length}` });
    clients.push(joined.client);
    return joined;
  };
  return { rooms, clients, join };
}

/** ffmpeg processes started for live streams, by the room workers' count (chatserver_streams_started_total). */
export async function streamsStarted(server: ServerProcess): Promise<number> {
  const workers = (await server.stats()).workers as Array<{ counters: { streamsStarted: number } | null }>;
  return workers.reduce((sum, worker) => sum + (worker.counters?.streamsStarted ?? 0), 0);
}
