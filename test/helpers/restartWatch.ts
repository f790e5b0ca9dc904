import { parsePlaylist } from '../../src/hls/playlist.js';

/** What a viewer saw of a room while it was watched: a playlist with ENDLIST, or /health saying not live. */
export interface RoomWatch {
  readonly endedPlaylists: number;
  /** 404 for the playlist from a worker that has the room open (not the old one closing it: "The room closed"). */
  readonly missingPlaylists: number;
  readonly offlineAnswers: number;
  /** Playlists and health answers read (connection errors while no worker listens are not counted). */
  readonly reads: number;
}

/**
 * Reads a room's playlist and /health over and over (as a player and a watch page do) until
 * stopped, counting the answers that would tell a viewer the stream ended or is gone. A refused
 * connection (no worker listening) or a 503 (try again) is a stall and is not counted.
 */
export function watchRoom(port: number, everyMs = 100): { stop(): Promise<RoomWatch> } {
  let stopped = false;
  const seen = { endedPlaylists: 0, missingPlaylists: 0, offlineAnswers: 0, reads: 0 };
  const read = async () => {
    const playlist = await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`).catch(() => null);
    if (playlist?.ok) {
      seen.reads += 1;
      if (parsePlaylist(await playlist.text()).ended) seen.endedPlaylists += 1;
    } else if (playlist?.status === 404 && !(await playlist.text()).includes('The room closed')) seen.missingPlaylists += 1;
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
