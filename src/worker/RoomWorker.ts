import { setLogLevel, type Logger } from '../log/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { CacheSnapshot, WorkerLoad } from '../ipc/messages.js';
import type { RoomSettings } from '../store/records.js';
import { Room, type RoomCloseKind } from './Room.js';
import type { WorkerChat } from './WorkerChat.js';
import type { WorkerMedia } from './WorkerMedia.js';
import { EventLoopLag } from '../log/EventLoopLag.js';
import type { WorkerCounters } from './WorkerCounters.js';
import type { ConnectionLimiter } from './ConnectionLimiter.js';

/**
 * A room worker process: owns a set of rooms (each on its own port) and the cached data the
 * primary pushes. It never opens the store.
 */
export class RoomWorker {
  readonly #channel: WorkerSideChannel;
  readonly #logger: Logger;
  readonly #chat: WorkerChat;
  readonly #media: WorkerMedia;
  readonly #counters: WorkerCounters;
  readonly #limiter: ConnectionLimiter;
  readonly #requestTimeoutMs: number;
  readonly #lag = new EventLoopLag();
  readonly #rooms = new Map<string, Room>();
  #cache: CacheSnapshot | undefined;
  #closed = false;

  constructor(
    channel: WorkerSideChannel,
    chat: WorkerChat,
    media: WorkerMedia,
    counters: WorkerCounters,
    limiter: ConnectionLimiter,
    requestTimeoutMs: number,
    logger: Logger,
  ) {
    this.#channel = channel;
    this.#chat = chat;
    this.#media = media;
    this.#counters = counters;
    this.#limiter = limiter;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#logger = logger;
    channel.handle('room.open', ({ name, port, settings }) => this.openRoom(name, port, settings));
    channel.handle('room.close', async ({ name, reason, kind }) => ({ closed: await this.closeRoom(name, reason, kind) }));
    channel.handle('room.system', ({ room, text }) => this.system(text, room));
    channel.handle('room.kick', ({ room, user, reason }) => ({
      connections: this.#rooms.get(room)?.chat.disconnectUser(user, 'KICKED', reason) ?? 0,
    }));
    channel.handle('worker.load', () => this.load());
    channel.handle('worker.logLevel', ({ level }) => {
      setLogLevel(this.#logger, level);
      return { level };
    });
    channel.handle('worker.shutdown', async ({ reason }) => ({ rooms: await this.close(reason) }));
    channel.onNote('cache.snapshot', (snapshot) => this.#useSnapshot(snapshot));
  }

  /** Asks the primary for the cached data, then tells it this worker takes requests. */
  async start(): Promise<void> {
    this.#channel.notify('worker.ready', { pid: process.pid });
    try {
      this.#useSnapshot(await this.#channel.request('cache.get', {}));
    } catch (error) {
      this.#logger.warn({ err: error }, 'no cache snapshot yet; waiting for the next push');
    }
  }

  /** True once shutdown began: no new rooms are taken. */
  get closed(): boolean {
    return this.#closed;
  }

  get cache(): CacheSnapshot | undefined {
    return this.#cache;
  }

  async openRoom(name: string, port: number, settings: RoomSettings): Promise<{ port: number }> {
    if (this.#closed) throw new IpcError('FAILED', 'worker is shutting down');
    const existing = this.#rooms.get(name);
    if (existing) {
      if (existing.port === port) return { port };
      throw new IpcError('ROOM_EXISTS', `room ${name} already listens on port ${existing.port}`);
    }
    const room = new Room({
      name,
      port,
      settings,
      logger: this.#logger,
      chat: this.#chat,
      media: this.#media,
      limiter: this.#limiter,
      requestTimeoutMs: this.#requestTimeoutMs,
      onStream: (room, stream) => this.#channel.notify('room.stream', { name: room, live: stream.live }),
    });
    this.#rooms.set(name, room);
    try {
      await room.listen();
    } catch (error) {
      this.#rooms.delete(name);
      throw error;
    }
    return { port };
  }

  async closeRoom(name: string, reason: string, kind: RoomCloseKind = 'deleted'): Promise<boolean> {
    const room = this.#rooms.get(name);
    if (!room) return false;
    this.#rooms.delete(name);
    await room.close(reason, kind);
    return true;
  }

  /** A `system` frame to one room or to all of this worker's rooms. */
  system(text: string, roomName?: string): { rooms: number; delivered: number } {
    const rooms = roomName === undefined ? [...this.#rooms.values()] : [this.#rooms.get(roomName)].filter((r) => r !== undefined);
    let delivered = 0;
    for (const room of rooms) delivered += room.chat.system(text);
    return { rooms: rooms.length, delivered };
  }

  load(): WorkerLoad {
    const rooms = [...this.#rooms.values()].map((room) => ({
      name: room.name,
      port: room.port,
      clients: room.clients,
      live: room.live,
      viewers: room.viewerCount,
      messages: room.chat.messageCount,
    }));
    return {
      rooms,
      clients: rooms.reduce((sum, room) => sum + room.clients, 0),
      rssBytes: process.memoryUsage.rss(),
      cacheVersion: this.#cache?.version ?? 0,
      counters: { ...this.#counters },
      liveStreams: rooms.filter((room) => room.live).length,
      eventLoopLagMs: this.#lag.readP99Ms(),
    };
  }

  /** Closes every room. Safe to call twice; resolves with how many rooms it closed. */
  async close(reason: string): Promise<number> {
    this.#closed = true;
    const rooms = [...this.#rooms.values()];
    this.#rooms.clear();
    await Promise.all(rooms.map((room) => room.close(reason, 'going-away')));
    return rooms.length;
  }

  #useSnapshot(snapshot: CacheSnapshot): void {
    if (this.#cache && snapshot.version <= this.#cache.version) return;
    this.#cache = snapshot;
    this.#chat.usePolicy(snapshot, [...this.#rooms.values()].map((room) => room.chat));
    this.#logger.debug({ version: snapshot.version, bans: snapshot.bans.length }, 'cache snapshot received');
  }
}
