import { parsePlaylist } from '../../src/hls/playlist.js';

/** What a viewer saw of a room while it was watched: a playlist with ENDLIST, or /health saying not live. */
export interface RoomWatch {
  readonly endedPlaylists: number;
  readonly offlineAnswers: number;
  /** Playlists and health answers read (connection errors while no worker listens are not counted). */
  readonly reads: number;
}

/**
 * Reads a room's playlist and /health over and over (as a player and a watch page do) until
 * stopped, counting the answers that would tell a viewer the stream ended. A refused connection
 * or a 404 (no worker listening yet, no playlist yet) is a stall, not an end, and is not counted.
 */
export function watchRoom(port: number, everyMs = 100): { stop(): Promise<RoomWatch> } {
  let stopped = false;
  const seen = { endedPlaylists: 0, offlineAnswers: 0, reads: 0 };
  const read = async () => {
    const playlist = await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`).catch(() => null);
    if (playlist?.ok) {
      seen.reads += 1;
      if (parsePlaylist(await playlist.text()).ended) seen.endedPlaylists += 1;
    }
    const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    if (health?.ok) {
      seen.reads += 1;
      if (!((await health.json()) as { data: { live: boolean } }).data.live) seen.offlineAnswers += 1;
    }
  };
  const running = (async () => {
    while (!stopped) {
      await read();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
      return { ...seen };
    },
  };
}
