import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from './createLogger.js';

/** The listing is read again this often while somebody follows it: changes within it become one set of events. */
const POLL_MS = 1_000;
/** A comment this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/** What a client is told to wait before it reconnects (the `retry` field). */
const RETRY_MS = 3_000;
/** A client with more than this not yet sent is not reading: it is dropped (it reconnects and gets the whole list). */
const MAX_BUFFERED_BYTES = 256 * 1024;

export interface LiveListingFeedOptions<T extends { readonly name: string }> {
  /** The listing now (sorted as the JSON route answers it). */
  readonly read: () => readonly T[];
  /** Clients at once; more are refused (0: the feed is off). */
  readonly maxClients: number;
  readonly logger: Logger;
  /** False while the server drains: its clients are let go at the next poll (they reconnect elsewhere). */
  readonly open?: () => boolean;
  readonly pollMs?: number;
  readonly keepAliveMs?: number;
  /** Bytes waiting to be sent to a client past which it is dropped. */
  readonly maxBufferedBytes?: number;
}

/**
 * A live listing as Server-Sent Events (WHATWG HTML, "Server-sent events"): on connect the
 * whole list (`listing`), then `live` (a room went live, the room), `update` (its figures or
 * thumbnail changed, the room) and `ended` (`{"name"}`), at most once per poll. Only the last
 * event of a set carries an `id` (this server's boot and the listing's version): a client that
 * reconnects with the current one as `Last-Event-ID` is not sent the list again, any other gets
 * it whole. No history is kept: the list is small and is its own replay.
 */
export class LiveListingFeed<T extends { readonly name: string }> {
  readonly #options: LiveListingFeedOptions<T>;
  readonly #clients = new Set<ServerResponse>();
  readonly #boot = randomBytes(4).toString('hex');
  /** Each room's JSON as last sent: what a poll compares with. */
  #rooms = new Map<string, string>();
  #version = 0;
  #timer: NodeJS.Timeout | undefined;
  #quietPolls = 0;
  #closed = false;

  constructor(options: LiveListingFeedOptions<T>) {
    this.#options = options;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Whether another client may follow the feed now. */
  get full(): boolean {
    return this.#closed || this.#clients.size >= this.#options.maxClients;
  }

  /** Starts the stream on `res` (the caller checked `full`); `lastEventId` from the request's header. */
  follow(res: ServerResponse, lastEventId: string | undefined): void {
    // The newcomer's list is read now: the clients already following hear first what changed
    // since the last poll, or the next poll, comparing with this read, would never tell them.
    const events = this.#refresh(true);
    if (events !== '') this.#broadcast(events);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'access-control-allow-origin': '*',
      // Proxies that buffer responses (nginx) would hold the events back.
      'x-accel-buffering': 'no',
    });
    this.#clients.add(res);
    res.on('close', () => this.#leave(res));
    const listing = lastEventId === this.#id() ? ': up to date\n\n' : this.#event('listing', JSON.stringify({ data: this.#options.read() }), true);
    this.#send(res, `retry: ${RETRY_MS}\n\n${listing}`);
    this.#timer ??= setInterval(() => this.#tick(), this.#options.pollMs ?? POLL_MS).unref();
  }

  /** Ends every stream (drain, shutdown) and refuses new ones. Safe to call twice. */
  close(): void {
    this.#closed = true;
    this.#stop();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #tick(): void {
    if (this.#options.open?.() === false) {
      for (const res of this.#clients) res.end();
      this.#clients.clear();
      this.#stop();
      return;
    }
    const events = this.#refresh(true);
    const keepAliveEvery = Math.max(1, Math.round((this.#options.keepAliveMs ?? KEEP_ALIVE_MS) / (this.#options.pollMs ?? POLL_MS)));
    this.#quietPolls = events === '' ? this.#quietPolls + 1 : 0;
    if (events !== '') this.#broadcast(events);
    else if (this.#quietPolls >= keepAliveEvery) {
      this.#quietPolls = 0;
      this.#broadcast(': keep-alive\n\n');
    }
  }

  /** Reads the listing; when it changed, a new version and (`describe`) the events that say how. */
  #refresh(describe: boolean): string {
    const rooms = new Map(this.#options.read().map((room) => [room.name, JSON.stringify(room)]));
    const parts: Array<[string, string]> = [];
    for (const [name, json] of rooms) {
      const before = this.#rooms.get(name);
      if (before === undefined) parts.push(['live', json]);
      else if (before !== json) parts.push(['update', json]);
    }
    for (const name of this.#rooms.keys()) if (!rooms.has(name)) parts.push(['ended', JSON.stringify({ name })]);
    this.#rooms = rooms;
    if (parts.length === 0) return '';
    this.#version += 1;
    if (!describe) return '';
    return parts.map(([type, data], i) => this.#event(type, data, i === parts.length - 1)).join('');
  }

  #id(): string {
    return `${this.#boot}-${this.#version}`;
  }

  #event(type: string, data: string, withId: boolean): string {
    return `event: ${type}\n${withId ? `id: ${this.#id()}\n` : ''}data: ${data}\n\n`;
  }

  #broadcast(text: string): void {
    for (const res of this.#clients) this.#send(res, text);
  }

  #send(res: ServerResponse, text: string): void {
    res.write(text);
    if (res.writableLength <= (this.#options.maxBufferedBytes ?? MAX_BUFFERED_BYTES)) return;
    this.#options.logger.info({ buffered: res.writableLength }, 'live listing client is not reading: dropped');
    res.destroy();
    this.#leave(res);
  }

  #leave(res: ServerResponse): void {
    this.#clients.delete(res);
    if (this.#clients.size === 0) this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#quietPolls = 0;
  }
}
