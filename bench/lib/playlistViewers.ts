/**
 * Simulated HLS viewers for the held-requests scenario, each on its own loopback source address
 * (127.0.0.2-127.0.0.250, round robin: a room bounds held requests per address), loading what
 * hls.js loads at the live edge:
 *  - Low-Latency HLS: a blocking playlist reload for the next part (`_HLS_msn`/`_HLS_part`, with
 *    `_HLS_skip=YES` since the server offers delta updates), then every part the answer lists that
 *    the viewer has not fetched yet, then the next reload;
 *  - classic HLS: the playlist once per target duration, then every segment it lists that the
 *    viewer has not fetched yet.
 */
import http from 'node:http';

export interface ViewerCounters {
  playlists: number;
  media: number;
  bytes: number;
  /** Answers other than 200 (429/503 from the bounds, 404 for a part gone), and socket errors. */
  failures: number;
}

const FIRST_ADDRESS = 2;
const LAST_ADDRESS = 250;
/** hls.js keeps connections open; so does every viewer here. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export function sourceAddress(viewer: number): string {
  return `127.0.0.${FIRST_ADDRESS + (viewer % (LAST_ADDRESS - FIRST_ADDRESS + 1))}`;
}

function get(url: URL, localAddress: string, counters: ViewerCounters): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        counters.bytes += body.length;
        if (res.statusCode === 200) resolve(body.toString('latin1'));
        else {
          counters.failures++;
          resolve(null);
        }
      });
      res.on('error', () => (counters.failures++, resolve(null)));
    });
    req.on('error', () => (counters.failures++, resolve(null)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The media URIs after `last` in `uris` (all of them but the newest on a first load: a player starts at the edge). */
function unseen(uris: readonly string[], last: string | null): string[] {
  const at = last === null ? -1 : uris.indexOf(last);
  if (at < 0) return uris.slice(-1);
  return uris.slice(at + 1);
}

/** The part a blocking reload asks for next: the one after the last part the playlist lists. */
export function nextPart(playlist: string): { msn: number; part: number } | null {
  const lines = playlist.split('\n');
  let msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? Number.NaN);
  if (!Number.isFinite(msn)) return null;
  msn += Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/.exec(playlist)?.[1] ?? 0);
  let partsOfPending = 0;
  for (const line of lines) {
    if (line.startsWith('#EXTINF')) {
      msn++;
      partsOfPending = 0;
    } else if (line.startsWith('#EXT-X-PART:')) partsOfPending++;
  }
  return { msn, part: partsOfPending };
}

function partUris(playlist: string): string[] {
  return [...playlist.matchAll(/#EXT-X-PART:[^\n]*URI="([^"]+)"/g)].map((match) => match[1]!);
}

function segmentUris(playlist: string): string[] {
  return playlist.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Runs viewers until `signal` aborts; the counters add up every viewer's requests. */
export function runViewers(mode: 'll' | 'classic', playlistUrl: string, count: number, signal: AbortSignal, counters: ViewerCounters): Promise<void[]> {
  const base = new URL(playlistUrl);
  const viewers = Array.from({ length: count }, (_, index) => (mode === 'll' ? llViewer : classicViewer)(base, sourceAddress(index), signal, counters));
  return Promise.all(viewers);
}

async function llViewer(playlist: URL, address: string, signal: AbortSignal, counters: ViewerCounters): Promise<void> {
  let text = await get(playlist, address, counters);
  let last: string | null = null;
  while (!signal.aborted) {
    const next = text === null ? null : nextPart(text);
    if (text === null || next === null) {
      // Refused or not ready: hls.js retries after a while too.
      await sleep(500);
      text = await get(playlist, address, counters);
      continue;
    }
    counters.playlists++;
    for (const uri of unseen(partUris(text), last)) {
      if (await get(new URL(uri, playlist), address, counters)) counters.media++;
      last = uri;
    }
    const blocking = new URL(playlist);
    blocking.search = `?_HLS_msn=${next.msn}&_HLS_part=${next.part}&_HLS_skip=YES`;
    text = await get(blocking, address, counters);
  }
}

async function classicViewer(playlist: URL, address: string, signal: AbortSignal, counters: ViewerCounters): Promise<void> {
  // Viewers arrive at different moments, so their reloads do not all fall on the same instant.
  await sleep(Math.random() * 1000);
  let last: string | null = null;
  while (!signal.aborted) {
    const started = performance.now();
    const text = await get(playlist, address, counters);
    let targetS = 1;
    if (text !== null) {
      counters.playlists++;
      targetS = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 1);
      for (const uri of unseen(segmentUris(text), last)) {
        if (await get(new URL(uri, playlist), address, counters)) counters.media++;
        last = uri;
      }
    }
    await sleep(Math.max(0, targetS * 1000 - (performance.now() - started)));
  }
}
