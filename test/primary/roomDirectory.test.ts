import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/contracts/domainErrors.js';
import { IpcError } from '../../src/ipc/IpcChannel.js';
import type { RoomActivity } from '../../src/contracts/ipc.js';
import { PortAllocator } from '../../src/primary/PortAllocator.js';
import { RoomDirectory } from '../../src/primary/RoomDirectory.js';
import { WorkerPool } from '../../src/primary/WorkerPool.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { switchable } from '../helpers/switchableStore.js';
import { fakeFork, type FakeBehaviour } from './fakeWorkers.js';

const silent = pino({ level: 'silent' });
const FIRST_PORT = 40_000;

describe('RoomDirectory (a real store, workers faked at the process boundary)', () => {
  let dir: string;
  let sqlite: SqliteStore;
  const undo: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'room-directory-'));
    sqlite = new SqliteStore(dir);
    await sqlite.open();
  });
  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A directory over a pool of `workers` fakes; the rooms' activity reaches it as primaryIpcHandlers wires it. */
  async function directoryOf(workers: number, behaviour: FakeBehaviour = {}) {
    const { store, state } = switchable(sqlite);
    const fakes = fakeFork(behaviour);
    const forgotten: string[] = [];
    const pool = new WorkerPool({
      size: workers,
      logger: silent,
      env: {},
      fork: fakes.fork,
      // Channels are set up at the first fork (pool.start), once `rooms` exists.
      setupChannel: (channel, slot) => channel.onNote('rooms.activity', ({ rooms: reports }) => rooms.applyActivity(slot.index, reports)),
    });
    const rooms = new RoomDirectory({
      pool,
      store,
      ports: new PortAllocator({ first: FIRST_PORT, last: FIRST_PORT + 7 }),
      logger: silent,
      forgetHistory: async (room) => void forgotten.push(room),
      clearLeftovers: async () => undefined,
    });
    undo.push(async () => {
      rooms.close();
      await pool.stop('test over');
    });
    await pool.start();
    await rooms.restore();
    return { rooms, pool, store: state, forgotten, ...fakes };
  }

  const activity = (name: string, epoch: number, clients: number): RoomActivity => ({ name, epoch, clients, viewers: clients, messages: 0, live: false, liveSince: null, thumbnail: false, ingest: null });

  it('places each new room on the least-loaded ready worker, counting the clients the workers report', async () => {
    const { rooms, latest } = await directoryOf(2);
    const slotOf = async (name: string) => (await rooms.create(name)).room.slot;
    expect(await slotOf('r1')).toBe(0);
    expect(await slotOf('r2')).toBe(1);
    // A room weighs as 50 clients: 200 clients on worker 0 send the next two rooms to worker 1.
    latest(0).report([activity('r1', rooms.get('r1')!.createdAt, 200)]);
    await expect.poll(() => rooms.get('r1')!.clients).toBe(200);
    expect(await slotOf('r3')).toBe(1);
    expect(await slotOf('r4')).toBe(1);
    latest(0).report([activity('r1', rooms.get('r1')!.createdAt, 0)]);
    await expect.poll(() => rooms.get('r1')!.clients).toBe(0);
    expect(await slotOf('r5')).toBe(0);
    expect([...latest(0).rooms.keys()]).toEqual(['r1', 'r5']);
    expect([...latest(1).rooms.keys()]).toEqual(['r2', 'r3', 'r4']);
  });

  it('takes reports only about its own rooms: not from another worker, not about an earlier room of the name', async () => {
    const { rooms, latest } = await directoryOf(2);
    const { room } = await rooms.create('mine');
    latest(1).report([activity('mine', room.createdAt, 9)]);
    latest(0).report([activity('mine', room.createdAt - 1, 8), activity('unknown', 1, 7)]);
    latest(0).report([{ name: 'mine', epoch: room.createdAt, clients: 3, viewers: 5, messages: 12, live: true, liveSince: null, thumbnail: false, ingest: null }]);
    await expect.poll(() => rooms.get('mine')!.messages).toBe(12);
    expect(rooms.get('mine')).toMatchObject({ clients: 3, viewers: 5, messages: 12, live: true });
    expect(rooms.list()).toHaveLength(1);
  });

  it('answers concurrent creates of one name with one room, and a later create with the same room', async () => {
    const { rooms, forked } = await directoryOf(2);
    const answers = await Promise.all([rooms.create('race'), rooms.create('race'), rooms.create('race')]);
    expect(answers.filter((answer) => answer.created)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.room))).toEqual(new Set([rooms.get('race')]));
    const again = await rooms.create('race');
    expect(again).toEqual({ room: rooms.get('race'), created: false });
    expect(forked.flatMap((worker) => worker.requests)).toEqual(['room.open race']);
  });

  it('skips a port another program holds (PORT_IN_USE) and keeps skipping it for a while', async () => {
    const { rooms } = await directoryOf(1, {
      open: ({ port }) => {
        if (port === FIRST_PORT) throw new IpcError('PORT_IN_USE', `port ${port} is already in use`);
      },
    });
    expect((await rooms.create('a')).room.port).toBe(FIRST_PORT + 1);
    expect((await rooms.create('b')).room.port).toBe(FIRST_PORT + 2);
  });

  it('answers a worker that refuses a room with ROOM_NOT_STARTED, and frees the port', async () => {
    let refuse = true;
    const { rooms } = await directoryOf(1, {
      open: () => {
        if (refuse) throw new IpcError('PORT_DENIED', 'no permission to listen on port 40000');
      },
    });
    const error = await rooms.create('denied').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'ROOM_NOT_STARTED', cause: { message: 'no permission to listen on port 40000' } });
    expect(rooms.get('denied')).toBeUndefined();
    refuse = false;
    expect((await rooms.create('denied')).room.port).toBe(FIRST_PORT);
  });

  it('closes a new room the store did not take, frees its port and answers STORE_UNAVAILABLE', async () => {
    const { rooms, store, latest } = await directoryOf(1);
    store.down = true;
    await expect(rooms.create('unsaved')).rejects.toMatchObject({ name: 'DomainError', code: 'STORE_UNAVAILABLE' });
    expect(latest(0).requests).toEqual(['room.open unsaved', 'room.close unsaved']);
    expect(latest(0).rooms.size).toBe(0);
    expect(rooms.get('unsaved')).toBeUndefined();
    store.down = false;
    expect((await rooms.create('unsaved')).room.port).toBe(FIRST_PORT);
  });

  it('removes a room: closed in its worker, port freed, history forgotten; an unknown room is false, a store failure keeps the room', async () => {
    const { rooms, store, latest, forgotten } = await directoryOf(1);
    await rooms.create('gone');
    expect(await rooms.remove('gone')).toBe(true);
    expect(latest(0).requests).toEqual(['room.open gone', 'room.close gone']);
    expect(forgotten).toEqual(['gone']);
    expect(await sqlite.listRooms()).toEqual([]);
    expect(await rooms.remove('gone')).toBe(false);
    expect((await rooms.create('next')).room.port).toBe(FIRST_PORT);

    store.down = true;
    await expect(rooms.remove('next')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(rooms.get('next')?.status).toBe('open');
    expect(latest(0).rooms.has('next')).toBe(true);
  });

  it("starts a dead worker's rooms again on the same ports in its replacement, their counts forgotten meanwhile", async () => {
    const { rooms, pool, latest } = await directoryOf(2);
    const a = (await rooms.create('a')).room;
    const b = (await rooms.create('b')).room;
    const victim = latest(a.slot);
    victim.report([activity('a', a.createdAt, 4)]);
    await expect.poll(() => rooms.get('a')!.clients).toBe(4);

    const replaced = new Promise<void>((resolve) => pool.once('ready', () => resolve()));
    const died = new Promise<void>((resolve) => pool.once('died', () => resolve()));
    victim.exit(null, 'SIGKILL');
    await died;
    expect(rooms.get('a')).toMatchObject({ status: 'down', clients: 0, viewers: 0 });
    await replaced;
    await expect.poll(() => rooms.get('a')!.status).toBe('open');
    expect(latest(a.slot)).not.toBe(victim);
    expect(latest(a.slot).rooms.get('a')).toEqual({ port: a.port, epoch: a.createdAt });
    expect(rooms.get('b')).toMatchObject({ status: 'open', port: b.port });
  });

  it('restores the stored rooms on their saved ports when a new primary starts', async () => {
    const first = await directoryOf(2);
    const ports = { a: (await first.rooms.create('a')).room.port, b: (await first.rooms.create('b')).room.port };
    await undo.pop()!();

    const second = await directoryOf(2);
    expect(second.rooms.list().map((room) => [room.name, room.port, room.status])).toEqual([
      ['a', ports.a, 'open'],
      ['b', ports.b, 'open'],
    ]);
    expect(second.forked.flatMap((worker) => [...worker.rooms].map(([name, room]) => [name, room.port])).sort()).toEqual([
      ['a', ports.a],
      ['b', ports.b],
    ]);
  });
});
