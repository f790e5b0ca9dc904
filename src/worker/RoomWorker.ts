import { setLogLevel, type Logger } from '../kit/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { CacheDelta, CacheSnapshot, WorkerStats } from '../contracts/ipc.js';
import type { RoomSettings } from '../contracts/records.js';
import { Room, type RoomCloseKind, type RoomOptions } from './Room.js';
import type { WorkerChat } from './WorkerChat.js';
import type { WorkerMedia } from './WorkerMedia.js';
import { EventLoopLag } from '../kit/EventLoopLag.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';
import type { ConnectionLimiter } from '../net/ConnectionLimiter.js';
import { RoomActivityReporter } from './RoomActivityReporter.js';
import { refuseRtmp } from './ingestRtmp.js';
import type { Socket } from 'node:net';

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
  readonly #activity: RoomActivityReporter;
  readonly #addresses: RoomOptions['addresses'];
  /** The cache version this worker holds; undefined until the first snapshot. */
  #cacheVersion: number | undefined;
  #fetchingSnapshot = false;
  #closed = false;

  /** `addresses` tells where connections come from (normalised, TRUST_PROXY applied). */
  constructor(
    channel: WorkerSideChannel,
    chat: WorkerChat,
    media: WorkerMedia,
    counters: WorkerCounters,
    limiter: ConnectionLimiter,
    requestTimeoutMs: number,
    logger: Logger,
    addresses: RoomOptions['addresses'],
  ) {
    this.#addresses = addresses;
    this.#channel = channel;
    this.#chat = chat;
    this.#media = media;
    this.#counters = counters;
    this.#limiter = limiter;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#logger = logger;
    this.#activity = new RoomActivityReporter((rooms) => channel.notify('rooms.activity', { rooms }));
    channel.handle('room.open', ({ name, port, settings, epoch }) => this.openRoom(name, port, settings, epoch));
    channel.handle('room.close', async ({ name, reason, kind }) => ({ closed: await this.closeRoom(name, reason, kind) }));
    channel.handle('room.system', ({ room, text }) => this.system(text, room));
    channel.handle('room.kick', ({ room, user, reason }) => ({
      connections: this.#rooms.get(room)?.chat.disconnectUser(user, 'KICKED', reason) ?? 0,
    }));
    channel.handle('room.users', ({ room, q, limit }) => {
      const open = this.#rooms.get(room);
      return { found: open !== undefined, ...(open?.chat.users(limit, q) ?? { users: [], total: 0 }) };
    });
    channel.handle('room.mute', ({ room, user, duration, by, reason }) => ({
      until: this.#rooms.get(room)?.chat.mute(user, duration, by, reason) ?? null,
    }));
    channel.handle('room.ban', async ({ room, user, expiresAt, by, reason }) => ({
      bans: [...((await this.#rooms.get(room)?.chat.banByOperator(user, expiresAt, by, reason)) ?? [])],
    }));
    channel.handle('room.stopStream', ({ room, reason }) => {
      const open = this.#rooms.get(room);
      return { found: open !== undefined, producer: open?.stopStream('an operator', reason) ?? null };
    });
    channel.handle('user.endSessions', ({ user, room, reason }) => this.endSessions(user, reason, room));
    channel.handle('worker.stats', () => this.stats());
    channel.handle('worker.logLevel', ({ level }) => {
      setLogLevel(this.#logger, level);
      return { level };
    });
    channel.handle('worker.shutdown', async ({ reason, restart }) => ({ rooms: await this.close(reason, restart === true ? 'restarting' : 'going-away') }));
    channel.onNote('cache.delta', (delta) => this.#useDelta(delta));
    channel.onNote('webhooks.interest', ({ types }) => chat.webhooks.setInterest(types));
    channel.onNote('room.historyDeleted', ({ room }) => this.#rooms.get(room)?.chat.history.forget());
    channel.onSocket('rtmp.handoff', ({ room, received }, socket) => this.#adoptRtmp(room, received, socket));
  }

  /** Asks the primary for the cached data, then tells it this worker takes requests. */
  async start(): Promise<void> {
    this.#channel.notify('worker.ready', { pid: process.pid });
    await this.#fetchSnapshot();
  }

  async openRoom(name: string, port: number, settings: RoomSettings, epoch: number): Promise<{ port: number }> {
    if (this.#closed) throw new IpcError('FAILED', 'worker is shutting down');
    const existing = this.#rooms.get(name);
    if (existing) {
      if (existing.port === port && existing.epoch === epoch) return { port };
      throw new IpcError('ROOM_EXISTS', `room ${name} already listens on port ${existing.port}`);
    }
    const room = new Room({
      name,
      port,
      settings,
      epoch,
      logger: this.#logger,
      chat: this.#chat,
      media: this.#media,
      limiter: this.#limiter,
      addresses: this.#addresses,
      requestTimeoutMs: this.#requestTimeoutMs,
      onActivity: (room, urgent) => this.#activity.changed(room, urgent),
      onRecording: (note) => this.#channel.notify('recording.changed', note),
    });
    this.#rooms.set(name, room);
    try {
      await room.listen();
    } catch (error) {
      this.#rooms.delete(name);
      // What it bound (the port, or the SRT socket if the port failed later) is let go; its folder stays for the retry.
      await room.close('the room could not listen', 'going-away').catch(() => undefined);
      throw error;
    }
    return { port };
  }

  async closeRoom(name: string, reason: string, kind: RoomCloseKind = 'deleted'): Promise<boolean> {
    const room = this.#rooms.get(name);
    if (!room) return false;
    this.#rooms.delete(name);
    await room.close(reason, kind);
    // A room of the same name opened meanwhile keeps its pending report.
    if (!this.#rooms.has(name)) this.#activity.forget(name);
    return true;
  }

  /** A `system` frame to one room or to all of this worker's rooms. */
  system(text: string, roomName?: string): { rooms: number; delivered: number } {
    const rooms = roomName === undefined ? [...this.#rooms.values()] : [this.#rooms.get(roomName)].filter((r) => r !== undefined);
    let delivered = 0;
    for (const room of rooms) delivered += room.chat.system(text);
    return { rooms: rooms.length, delivered };
  }

  /** Ends a user's sessions (chat and broadcast) in one room or in all of this worker's rooms. */
  endSessions(user: string, reason: string, roomName?: string): { rooms: number; connections: number; streams: string[] } {
    // Answers cached for the user would let them straight back in.
    this.#chat.context.authHook?.forget(user, roomName);
    const rooms = roomName === undefined ? [...this.#rooms.values()] : [this.#rooms.get(roomName)].filter((r) => r !== undefined);
    let connections = 0;
    const streams: string[] = [];
    for (const room of rooms) {
      connections += room.chat.endSessions(user, reason);
      if (room.stream.producer === user && room.stopStream('an operator', reason) !== null) streams.push(room.name);
    }
    return { rooms: rooms.length, connections, streams };
  }

  /** The process's own figures; the rooms' activity reaches the primary by itself (RoomActivityReporter). */
  stats(): WorkerStats {
    return {
      rssBytes: process.memoryUsage.rss(),
      cacheVersion: this.#cacheVersion ?? 0,
      counters: { ...this.#counters },
      eventLoopLagMs: this.#lag.readP99Ms(),
      hlsHeld: [...this.#rooms.values()].reduce((sum, room) => sum + room.hlsHeld, 0),
    };
  }

  /** Closes every room (`restarting`: a rolling restart, live streams suspended). Safe to call twice; resolves with how many rooms it closed. */
  async close(reason: string, kind: Exclude<RoomCloseKind, 'deleted'> = 'going-away'): Promise<number> {
    this.#closed = true;
    this.#activity.close();
    const rooms = [...this.#rooms.values()];
    this.#rooms.clear();
    await Promise.all(rooms.map((room) => room.close(reason, kind)));
    // Users the close disconnected have left: their user.left goes now, not after the debounce.
    this.#chat.webhooks.close();
    return rooms.length;
  }

  /** A publisher from the primary's shared RTMP port, for one of this worker's rooms. */
  #adoptRtmp(name: string, received: readonly string[], socket: Socket): void {
    const bytes = received.map((piece) => Buffer.from(piece, 'base64'));
    const room = this.#rooms.get(name);
    if (room === undefined) {
      this.#logger.warn({ room: name }, 'rtmp publisher handed over for a room this worker does not have');
      refuseRtmp(socket, bytes, `ROOM_NOT_FOUND: The room ${name} is not open on this server now; try again shortly`);
      return;
    }
    room.adoptRtmp(socket, bytes);
  }

  /** The full snapshot, at start and whenever a delta shows this worker missed one. */
  async #fetchSnapshot(): Promise<void> {
    if (this.#fetchingSnapshot) return;
    this.#fetchingSnapshot = true;
    try {
      this.#useSnapshot(await this.#channel.request('cache.get', {}));
    } catch (error) {
      this.#logger.warn({ err: error }, 'no cache snapshot yet; asking again at the next change');
    } finally {
      this.#fetchingSnapshot = false;
    }
  }

  #useSnapshot(snapshot: CacheSnapshot): void {
    if (this.#cacheVersion !== undefined && snapshot.version <= this.#cacheVersion) return;
    this.#cacheVersion = snapshot.version;
    this.#chat.usePolicy(snapshot, [...this.#rooms.values()].map((room) => room.chat));
    for (const room of this.#rooms.values()) room.enforceRevocations();
    this.#logger.debug({ version: snapshot.version, full: true, bans: snapshot.bans.length }, 'cache update applied');
  }

  #useDelta(delta: CacheDelta): void {
    // Deltas sent before the snapshot this worker is fetching are inside it; later ones follow it.
    if (this.#cacheVersion === undefined) {
      void this.#fetchSnapshot();
      return;
    }
    if (delta.version <= this.#cacheVersion) return;
    if (delta.version !== this.#cacheVersion + 1) {
      this.#logger.warn({ have: this.#cacheVersion, got: delta.version }, 'cache delta out of order; fetching the full snapshot');
      void this.#fetchSnapshot();
      return;
    }
    this.#cacheVersion = delta.version;
    this.#chat.applyDelta(delta, [...this.#rooms.values()].map((room) => room.chat));
    if (delta.revocations) for (const room of this.#rooms.values()) room.enforceRevocations();
    this.#logger.debug({ version: delta.version, full: false, added: delta.added.length, removed: delta.removed.length, settings: Boolean(delta.settings) }, 'cache update applied');
  }
}
