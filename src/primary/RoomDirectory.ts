import type { RaisedEvent } from '../contracts/webhookEvents.js';
import type { OutboxEntry } from '../contracts/webhookRecords.js';
import { DomainError } from '../contracts/domainErrors.js';
import type { Logger } from '../kit/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { RoomActivity } from '../contracts/ipc.js';
import type { Store } from '../store/Store.js';
import type { RoomSettings } from '../contracts/records.js';
import { leastLoadedWorker, workerLoads } from './placement.js';
import type { PortAllocator } from './PortAllocator.js';
import { newRoomEntry, setActivity, toRecord, type RoomEntry } from './RoomEntry.js';
import type { WorkerPool, WorkerSlot } from './WorkerPool.js';

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
  /** The webhook outbox: room.created / room.deleted stored with the room write, dispatched once it is durable. */
  readonly outbox?: { entries(events: readonly RaisedEvent[]): OutboxEntry[]; committed(entries: readonly OutboxEntry[]): void };
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
  readonly #outbox: RoomDirectoryOptions['outbox'];
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
    this.#outbox = options.outbox;
    this.#pool.on('ready', (slot) => this.#reopenRoomsOf(slot));
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
    const outbox = this.#outbox?.entries([{ type: 'room.deleted', room: name, at: Date.now(), data: { room: name } }]) ?? [];
    try {
      await this.#store.deleteRoom(name, outbox);
      this.#outbox?.committed(outbox);
    } catch (error) {
      this.#logger.error({ err: error, room: name }, 'could not delete room from the store; the room stays');
      throw new DomainError('STORE_UNAVAILABLE', `room ${name} not deleted from the store`, { cause: error });
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
      this.#rooms.set(record.name, newRoomEntry(record, slot, 'down'));
    }
    await Promise.all(this.list().filter((room) => room.status === 'down').map((room) => this.#open(room)));
    this.#logger.info({ rooms: this.#rooms.size }, 'rooms restored');
  }

  /**
   * A worker's report of its rooms' activity. A report about a room that has moved to another
   * worker, or about an earlier room of the same name, is ignored.
   */
  applyActivity(slot: number, reports: readonly RoomActivity[]): void {
    for (const report of reports) {
      const room = this.#rooms.get(report.name);
      if (room?.slot === slot && room.createdAt === report.epoch) setActivity(room, report);
    }
  }

  close(): void {
    for (const timer of this.#retry.values()) clearTimeout(timer);
    this.#retry.clear();
  }

  async #createNew(name: string, settings: RoomSettings): Promise<RoomEntry> {
    for (;;) {
      const slot = this.#placement();
      if (slot === undefined) throw new DomainError('WORKER_UNAVAILABLE');
      const port = this.#ports.allocate();
      if (port === undefined) throw new DomainError('NO_PORTS_AVAILABLE');
      const room = newRoomEntry({ name, port, settings, createdAt: Date.now() }, slot, 'opening');
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
        throw startFailure(error);
      }
      const outbox = this.#outbox?.entries([{ type: 'room.created', room: name, at: Date.now(), data: { room: name, port } }]) ?? [];
      try {
        await this.#store.saveRoom(toRecord(room), outbox);
        this.#outbox?.committed(outbox);
      } catch (error) {
        this.#logger.error({ err: error, room: name }, 'could not persist the new room; closing it');
        this.#rooms.delete(name);
        await this.#pool.slots[slot]?.channel?.request('room.close', { name, reason: 'not persisted' }).catch(() => undefined);
        this.#ports.release(port);
        throw new DomainError('STORE_UNAVAILABLE', `room ${name} not saved in the store`, { cause: error });
      }
      this.#logger.info({ room: name, port, worker: slot }, 'room created');
      return room;
    }
  }

  #placement(): number | undefined {
    return leastLoadedWorker(workerLoads(this.#pool.slots, this.#rooms.values()));
  }

  async #requestOpen(room: RoomEntry): Promise<void> {
    const channel = this.#pool.slots[room.slot]?.channel;
    if (!channel) throw new DomainError('WORKER_UNAVAILABLE');
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
      setActivity(room);
    }
  }

  #cancelRetry(name: string): void {
    clearTimeout(this.#retry.get(name));
    this.#retry.delete(name);
  }
}

/** Why a new room could not start, as its creator hears it: a worker that did not answer, or its refusal. */
function startFailure(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof IpcError && (error.code === 'TIMEOUT' || error.code === 'CHANNEL_CLOSED')) {
    return new DomainError('WORKER_UNAVAILABLE', `the worker did not answer: ${error.message}`, { cause: error });
  }
  return new DomainError('ROOM_NOT_STARTED', `room could not start: ${(error as Error).message}`, { cause: error });
}
