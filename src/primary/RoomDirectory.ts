import type { Logger } from '../kit/createLogger.js';
import { ApiError } from '../kit/errors.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { WorkerLoad } from '../contracts/ipc.js';
import type { RoomRecord, Store } from '../store/Store.js';
import type { RoomSettings } from '../contracts/records.js';
import { leastLoadedWorker } from './placement.js';
import type { PortAllocator } from './PortAllocator.js';
import type { WorkerPool, WorkerSlot } from './WorkerPool.js';

/** open: listening in its worker; opening: being started; down: its worker died; failed: could not start. */
export type RoomStatus = 'opening' | 'open' | 'down' | 'failed';

export interface RoomEntry {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly createdAt: number;
  slot: number;
  status: RoomStatus;
  clients: number;
  /** Chat clients plus recent HLS players (from the last load poll). */
  viewers: number;
  /** Messages accepted since the room opened in its current worker (from the last load poll). */
  messages: number;
  live: boolean;
  error: string | undefined;
}

const ROOM_OPEN_TIMEOUT_MS = 5_000;
/** A room that failed to start (its port taken by another program, say) is tried again this often. */
const RETRY_FAILED_MS = 5_000;

export interface RoomDirectoryOptions {
  readonly pool: WorkerPool;
  readonly store: Store;
  readonly ports: PortAllocator;
  readonly logger: Logger;
  /** Deletes a removed room's stored chat history. */
  readonly forgetHistory: (room: string) => Promise<void>;
  /** Erases what a deleted room of this name may have left in the store, before a new one opens. */
  readonly clearLeftovers: (room: string) => Promise<void>;
}

/**
 * The primary's map of room -> worker -> port. Places new rooms on the least-loaded worker,
 * persists them, and starts them again on the same ports after a worker dies or a restart.
 */
export class RoomDirectory {
  readonly #pool: WorkerPool;
  readonly #store: Store;
  readonly #ports: PortAllocator;
  readonly #logger: Logger;
  readonly #forgetHistory: (room: string) => Promise<void>;
  readonly #clearLeftovers: (room: string) => Promise<void>;
  readonly #rooms = new Map<string, RoomEntry>();
  readonly #creating = new Map<string, Promise<RoomEntry>>();
  readonly #retry = new Map<string, NodeJS.Timeout>();

  constructor(options: RoomDirectoryOptions) {
    this.#pool = options.pool;
    this.#store = options.store;
    this.#ports = options.ports;
    this.#logger = options.logger;
    this.#forgetHistory = options.forgetHistory;
    this.#clearLeftovers = options.clearLeftovers;
    this.#pool.on('ready', (slot) => {
      slot.channel?.onNote('room.stream', ({ name, live }) => this.#streamChanged(slot, name, live));
      this.#reopenRoomsOf(slot);
    });
    this.#pool.on('died', (slot) => this.#markRoomsDown(slot));
  }

  list(): RoomEntry[] {
    return [...this.#rooms.values()];
  }

  get(name: string): RoomEntry | undefined {
    return this.#rooms.get(name);
  }

  roomsOnSlot(index: number): RoomEntry[] {
    return this.list().filter((room) => room.slot === index);
  }

  /** Creates the room, or answers the existing one (created: false). */
  async create(name: string, settings: RoomSettings = {}): Promise<{ room: RoomEntry; created: boolean }> {
    const existing = this.#rooms.get(name);
    if (existing && !this.#creating.has(name)) return { room: existing, created: false };
    const pending = this.#creating.get(name);
    if (pending) return { room: await pending, created: false };

    const creating = this.#clearLeftovers(name)
      .catch((error: unknown) => this.#logger.warn({ err: error, room: name }, 'could not check for history a deleted room of this name left; creating the room anyway'))
      .then(() => this.#createNew(name, settings))
      .finally(() => this.#creating.delete(name));
    this.#creating.set(name, creating);
    return { room: await creating, created: true };
  }

  /** Closes the room in its worker, frees its port and forgets it. Resolves false if unknown. */
  async remove(name: string, reason = 'room deleted'): Promise<boolean> {
    await this.#creating.get(name)?.catch(() => undefined);
    const room = this.#rooms.get(name);
    if (!room) return false;
    try {
      await this.#store.deleteRoom(name);
    } catch (error) {
      this.#logger.error({ err: error, room: name }, 'could not delete room from the store; the room stays');
      throw new ApiError('STORE_UNAVAILABLE');
    }
    this.#rooms.delete(name);
    this.#cancelRetry(name);
    const channel = this.#pool.slots[room.slot]?.channel;
    if (channel && room.status === 'open') {
      await channel.request('room.close', { name, reason }).catch((error: unknown) => {
        this.#logger.warn({ err: error, room: name }, 'worker did not confirm the room closed');
      });
    }
    this.#ports.release(room.port);
    this.#forgetHistory(name).catch((error: unknown) => {
      this.#logger.warn({ err: error, room: name }, 'could not delete the room history');
    });
    this.#logger.info({ room: name, port: room.port }, 'room removed');
    return true;
  }

  /** Loads the persisted rooms and starts each on its saved port. Call once the workers are ready. */
  async restore(): Promise<void> {
    const records = await this.#store.listRooms();
    for (const record of records) {
      // Created (or deleted) while the store was away: what this process knows wins.
      if (this.#rooms.has(record.name)) continue;
      if (!this.#ports.claim(record.port)) {
        this.#logger.error({ room: record.name, port: record.port }, 'stored room has a port another room holds; skipped');
        continue;
      }
      if (!this.#ports.inRange(record.port)) {
        this.#logger.warn({ room: record.name, port: record.port }, 'stored room port is outside ROOM_PORTS; keeping it');
      }
      const slot = this.#placement() ?? 0;
      this.#rooms.set(record.name, { ...record, slot, status: 'down', clients: 0, viewers: 0, messages: 0, live: false, error: undefined });
    }
    await Promise.all(this.list().filter((room) => room.status === 'down').map((room) => this.#open(room)));
    this.#logger.info({ rooms: this.#rooms.size }, 'rooms restored');
  }

  /** Asks every ready worker for its load, updates the client counts, and returns the loads by worker. */
  async refreshLoads(): Promise<Map<number, WorkerLoad>> {
    const loads = new Map<number, WorkerLoad>();
    await Promise.all(
      this.#pool.readySlots().map(async (slot) => {
        try {
          const load = await slot.channel?.request('worker.load', {}, 2_000);
          if (!load) return;
          loads.set(slot.index, load);
          for (const roomLoad of load.rooms) {
            const room = this.#rooms.get(roomLoad.name);
            if (!room) continue;
            room.clients = roomLoad.clients;
            room.viewers = roomLoad.viewers;
            room.messages = roomLoad.messages;
            room.live = roomLoad.live;
          }
        } catch (error) {
          this.#logger.debug({ err: error, worker: slot.index }, 'worker load not available');
        }
      }),
    );
    return loads;
  }

  close(): void {
    for (const timer of this.#retry.values()) clearTimeout(timer);
    this.#retry.clear();
  }

  async #createNew(name: string, settings: RoomSettings): Promise<RoomEntry> {
    for (;;) {
      const slot = this.#placement();
      if (slot === undefined) throw new ApiError('WORKER_UNAVAILABLE');
      const port = this.#ports.allocate();
      if (port === undefined) throw new ApiError('NO_PORTS_AVAILABLE');
      const room: RoomEntry = { name, port, settings, createdAt: Date.now(), slot, status: 'opening', clients: 0, viewers: 0, messages: 0, live: false, error: undefined };
      this.#rooms.set(name, room);
      try {
        await this.#requestOpen(room);
      } catch (error) {
        this.#rooms.delete(name);
        if (error instanceof IpcError && error.code === 'PORT_IN_USE') {
          this.#ports.markForeign(port);
          this.#logger.warn({ room: name, port }, 'port taken by another program; trying the next one');
          continue;
        }
        this.#ports.release(port);
        throw toApiError(error);
      }
      try {
        await this.#store.saveRoom(toRecord(room));
      } catch (error) {
        this.#logger.error({ err: error, room: name }, 'could not persist the new room; closing it');
        this.#rooms.delete(name);
        await this.#pool.slots[slot]?.channel?.request('room.close', { name, reason: 'not persisted' }).catch(() => undefined);
        this.#ports.release(port);
        throw new ApiError('STORE_UNAVAILABLE');
      }
      this.#logger.info({ room: name, port, worker: slot }, 'room created');
      return room;
    }
  }

  #placement(): number | undefined {
    const counts = new Map<number, { rooms: number; clients: number }>();
    for (const room of this.#rooms.values()) {
      const count = counts.get(room.slot) ?? { rooms: 0, clients: 0 };
      count.rooms += 1;
      count.clients += room.clients;
      counts.set(room.slot, count);
    }
    return leastLoadedWorker(
      this.#pool.slots.map((slot) => ({
        index: slot.index,
        ready: slot.state === 'ready',
        rooms: counts.get(slot.index)?.rooms ?? 0,
        clients: counts.get(slot.index)?.clients ?? 0,
      })),
    );
  }

  async #requestOpen(room: RoomEntry): Promise<void> {
    const channel = this.#pool.slots[room.slot]?.channel;
    if (!channel) throw new ApiError('WORKER_UNAVAILABLE');
    await channel.request('room.open', { name: room.name, port: room.port, settings: room.settings, epoch: room.createdAt }, ROOM_OPEN_TIMEOUT_MS);
    room.status = 'open';
    room.error = undefined;
  }

  /** Starts an existing room on its own port; on failure retries later. */
  async #open(room: RoomEntry): Promise<void> {
    this.#cancelRetry(room.name);
    room.status = 'opening';
    try {
      await this.#requestOpen(room);
      this.#logger.info({ room: room.name, port: room.port, worker: room.slot }, 'room started');
    } catch (error) {
      if (this.#rooms.get(room.name) !== room) return;
      room.status = 'failed';
      room.error = (error as Error).message;
      this.#logger.error({ err: error, room: room.name, port: room.port }, 'room could not start; retrying');
      const timer = setTimeout(() => {
        this.#retry.delete(room.name);
        if (this.#pool.slots[room.slot]?.state === 'ready') void this.#open(room);
      }, RETRY_FAILED_MS);
      timer.unref();
      this.#retry.set(room.name, timer);
    }
  }

  #reopenRoomsOf(slot: WorkerSlot): void {
    const rooms = this.roomsOnSlot(slot.index).filter((room) => room.status !== 'open' && room.status !== 'opening');
    if (rooms.length > 0) this.#logger.info({ worker: slot.index, rooms: rooms.length }, 'starting rooms of replaced worker');
    for (const room of rooms) void this.#open(room);
  }

  #markRoomsDown(slot: WorkerSlot): void {
    for (const room of this.roomsOnSlot(slot.index)) {
      room.status = 'down';
      room.clients = 0;
      room.viewers = 0;
      room.messages = 0;
      room.live = false;
    }
  }

  #streamChanged(slot: WorkerSlot, name: string, live: boolean): void {
    const room = this.#rooms.get(name);
    if (room?.slot === slot.index) room.live = live;
  }

  #cancelRetry(name: string): void {
    clearTimeout(this.#retry.get(name));
    this.#retry.delete(name);
  }
}

function toRecord(room: RoomEntry): RoomRecord {
  return { name: room.name, port: room.port, settings: room.settings, createdAt: room.createdAt };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof IpcError && (error.code === 'TIMEOUT' || error.code === 'CHANNEL_CLOSED')) {
    return new ApiError('WORKER_UNAVAILABLE');
  }
  return new ApiError('INTERNAL', `Room could not start: ${(error as Error).message}`);
}
