import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendHlsError } from '../hls/hlsResponse.js';
import { HeldRequests, type HeldLimits } from '../hls/ll/HeldRequests.js';
import { PlaylistTexts } from '../hls/ll/PlaylistTexts.js';
import { serveLlHls, type LlSource } from '../hls/ll/serveLlHls.js';
import type { LiveStream } from '../hls/LiveStream.js';
import { serveHls, type HlsSource } from '../hls/serveHls.js';
import type { HlsCache } from '../hls/HlsCache.js';

export interface RoomHlsOptions {
  readonly room: string;
  readonly dir: string;
  readonly stream: LiveStream;
  readonly cache: HlsCache;
  readonly heldLimits: HeldLimits;
  readonly counters: LlSource['counters'];
  address(req: IncomingMessage): string;
  /** A player fetched a playlist (how HLS viewers are counted). */
  playerSeen(req: IncomingMessage): void;
}

const NO_QUERY = new URLSearchParams();

/**
 * `/hls/` of one room: Low-Latency HLS from the stream's broadcast in memory (with the room's
 * held requests), or classic HLS files from the room's folder through the worker's cache,
 * whichever mode the stream runs in.
 */
export class RoomHls {
  readonly #stream: LiveStream;
  readonly #classic: HlsSource;
  readonly #ll: LlSource;
  readonly #held: HeldRequests;
  #closed = false;

  constructor(options: RoomHlsOptions) {
    const { room, cache, stream } = options;
    this.#stream = stream;
    this.#held = new HeldRequests(options.heldLimits);
    this.#classic = {
      dir: options.dir,
      cache,
      cacheKey: (name) => `${room}/${name}`,
      isListed: (name) => stream.isListed(name),
      onPlaylist: options.playerSeen,
    };
    this.#ll = {
      broadcast: () => stream.broadcast,
      awaitsBroadcast: () => stream.awaitsBroadcast,
      held: this.#held,
      texts: new PlaylistTexts(),
      address: options.address,
      counters: options.counters,
      onPlaylist: options.playerSeen,
    };
    stream.on('files', (name) => (name === null ? cache.clearRoom(room) : cache.invalidate(`${room}/${name}`)));
    stream.on('hlsChanged', () => this.#held.recheck());
  }

  /** `rest` is the path after `/hls/`; `url` the whole request URL (for LL-HLS query parameters). */
  async serve(rest: string, url: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The port stays open a little while the room closes (its stream and recording end first):
    // a request then is answered, never held until the connections are cut.
    if (this.#closed) return sendHlsError(res, 404, 'NOT_FOUND', 'The room closed');
    if (this.#stream.settings.mode === 'll') {
      // Most requests (parts, segments) carry no query: no URL parsing for them.
      const query = url.indexOf('?');
      serveLlHls(this.#ll, rest, query === -1 ? NO_QUERY : new URLSearchParams(url.slice(query + 1)), req, res);
    }
    else await serveHls(this.#classic, rest, req, res);
  }

  /** Requests held now. */
  get held(): number {
    return this.#held.size;
  }

  /** The room closes: held requests are answered now. */
  close(): void {
    this.#closed = true;
    this.#held.releaseAll((res) => sendHlsError(res, 404, 'NOT_FOUND', 'The room closed'));
  }
}
