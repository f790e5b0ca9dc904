/**
 * When a server's live playlist first lists a segment, and when that segment has been fetched
 * whole: polled every 20 ms from the load generator, as a player polling for a live stream would.
 */
export interface FirstSegment {
  /** Date.now() when the playlist first listed a segment. */
  readonly listedAt: number;
  /** Date.now() when that segment's bytes had all arrived. */
  readonly fetchedAt: number;
  readonly bytes: number;
}

const POLL_MS = 20;

async function listedSegment(playlistUrl: string): Promise<string | null> {
  try {
    const response = await fetch(playlistUrl);
    const text = await response.text();
    if (!response.ok) return null;
    const lines = text.split('\n').map((line) => line.trim());
    const at = lines.findIndex((line) => line.startsWith('#EXTINF'));
    const uri = lines.slice(at + 1).find((line) => line !== '' && !line.startsWith('#'));
    return at < 0 || uri === undefined ? null : new URL(uri, playlistUrl).href;
  } catch {
    return null;
  }
}

export async function firstSegment(playlistUrl: string, timeoutMs = 30_000): Promise<FirstSegment> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const segment = await listedSegment(playlistUrl);
    if (segment !== null) {
      const listedAt = Date.now();
      const response = await fetch(segment);
      // A peer may list a segment a moment before it can serve it (Node-Media-Server's first
      // .ts has been seen 404 right after its playlist named it): poll on, as a player retries.
      if (response.ok) {
        const bytes = (await response.arrayBuffer()).byteLength;
        return { listedAt, fetchedAt: Date.now(), bytes };
      }
      await response.body?.cancel();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${playlistUrl} listed no segment within ${timeoutMs} ms`);
}
