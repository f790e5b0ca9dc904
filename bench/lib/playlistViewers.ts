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
  /**
   * LL-HLS: how old the newest part was when a blocking reload's answer arrived, ms (its
   * EXT-X-PROGRAM-DATE-TIME plus the parts after it, against the clock): what a cache in front
   * adds to each part shows here.
   */
  edgeAgesMs: number[];
}

const FIRST_ADDRESS = 2;
const LAST_ADDRESS = 250;
/** hls.js keeps connections open; so does every viewer here. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export function sourceAddress(viewer: number): string {
  return `127.0.0.${FIRST_ADDRESS + (viewer % (LAST_ADDRESS - FIRST_ADDRESS + 1))}`;
}

function get(url: URL, localAddress: string, counters: ViewerCounters, headers: Readonly<Record<string, string>>): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, localAddress, headers }, (res) => {
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

/** When the newest part listed ended, as a wall clock (ms): the last program date-time plus the parts after it. */
export function newestPartEnd(playlist: string): number | null {
  const at = playlist.lastIndexOf('#EXT-X-PROGRAM-DATE-TIME:');
  if (at < 0) return null;
  const end = playlist.indexOf('\n', at);
  const line = playlist.slice(at, end < 0 ? undefined : end);
  const start = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
  if (!Number.isFinite(start)) return null;
  let seconds = 0;
  for (const match of playlist.slice(at).matchAll(/#EXT-X-PART:DURATION=([\d.]+)/g)) seconds += Number(match[1]);
  return start + seconds * 1000;
}

function partUris(playlist: string): string[] {
  return [...playlist.matchAll(/#EXT-X-PART:[^\n]*URI="([^"]+)"/g)].map((match) => match[1]!);
}

function segmentUris(playlist: string): string[] {
  return playlist.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Runs viewers until `signal` aborts; the counters add up every viewer's requests. */
export function runViewers(
  mode: 'll' | 'classic',
  playlistUrl: string,
  count: number,
  signal: AbortSignal,
  counters: ViewerCounters,
  headers: Readonly<Record<string, string>> = {},
): Promise<void[]> {
  const base = new URL(playlistUrl);
  const viewers = Array.from({ length: count }, (_, index) => {
    const load = (url: URL) => get(url, sourceAddress(index), counters, headers);
    return (mode === 'll' ? llViewer : classicViewer)(base, load, signal, counters);
  });
  return Promise.all(viewers);
}

type Load = (url: URL) => Promise<string | null>;

async function llViewer(playlist: URL, get: Load, signal: AbortSignal, counters: ViewerCounters): Promise<void> {
  let text = await get(playlist);
  let last: string | null = null;
  while (!signal.aborted) {
    const next = text === null ? null : nextPart(text);
    if (text === null || next === null) {
      // Refused or not ready: hls.js retries after a while too.
      await sleep(500);
      text = await get(playlist);
      continue;
    }
    counters.playlists++;
    for (const uri of unseen(partUris(text), last)) {
      if (await get(new URL(uri, playlist))) counters.media++;
      last = uri;
    }
    const blocking = new URL(playlist);
    blocking.search = `?_HLS_msn=${next.msn}&_HLS_part=${next.part}&_HLS_skip=YES`;
    text = await get(blocking);
    const newest = text === null ? null : newestPartEnd(text);
    if (newest !== null) counters.edgeAgesMs.push(Date.now() - newest);
  }
}

async function classicViewer(playlist: URL, get: Load, signal: AbortSignal, counters: ViewerCounters): Promise<void> {
  // Viewers arrive at different moments, so their reloads do not all fall on the same instant.
  await sleep(Math.random() * 1000);
  let last: string | null = null;
  while (!signal.aborted) {
    const started = performance.now();
    const text = await get(playlist);
    let targetS = 1;
    if (text !== null) {
      counters.playlists++;
      targetS = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 1);
      for (const uri of unseen(segmentUris(text), last)) {
        if (await get(new URL(uri, playlist))) counters.media++;
        last = uri;
      }
    }
    await sleep(Math.max(0, targetS * 1000 - (performance.now() - started)));
  }
}
