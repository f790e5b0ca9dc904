import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalJournal } from '../../src/store/journal/LocalJournal.js';
import type { RoomRecord } from '../../src/store/Store.js';
import { journaledFixture, message } from '../helpers/journaledFixture.js';

const room = (name: string, createdAt = 1): RoomRecord => ({ name, port: createdAt, settings: {}, createdAt });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A replay step landing in the middle of another call, and a shutdown in the middle of a replay. */
describe('JournaledStore while a replay runs', () => {
  let fx: Awaited<ReturnType<typeof journaledFixture>>;

  beforeEach(async () => {
    fx = await journaledFixture();
  });
  afterEach(() => fx.cleanup());

  it('lists the rooms as this server made them when a replay step lands during the read', async () => {
    const store = await fx.make({ probeMs: 10_000 });
    await store.saveRoom(room('old', 1));
    fx.sw.state.down = true;
    await store.saveRoom(room('new', 2));
    expect(await store.deleteRoom('old')).toBe(true);
    fx.sw.state.down = false;

    // MongoDB has answered the read (with the rooms as they were before the outage) when the
    // replay writes the journaled create and delete and empties the journal.
    const release = fx.sw.hold('listRooms', 'answer');
    const listing = store.listRooms();
    await tick();
    await store.replay();
    expect(store.journal.depth).toBe(0);
    release();
    expect((await listing).map((r) => r.name)).toEqual(['new']);
  });

  it('closes after the replay step in flight, leaving the rest in the journal for the next start', async () => {
    const store = await fx.make({ probeMs: 10_000 });
    fx.sw.state.down = true;
    for (let i = 0; i < 5; i++) {
      await store.saveRoom(room(`room-${i}`, i + 1));
      await store.appendMessages([message(`room-${i}`, i)]);
    }
    expect(store.journal.depth).toBe(10);
    fx.sw.state.down = false;

    const release = fx.sw.hold('saveRoom', 'request');
    const replay = store.replay();
    await tick();
    const closing = store.close();
    release();
    await closing;
    await replay;
    // The step in flight (room-0's create) finished; nothing after it was started.
    await fx.remote.open();
    expect((await fx.remote.listRooms()).map((r) => r.name)).toEqual(['room-0']);
    const journal = new LocalJournal(fx.journalDir, 1_000);
    journal.open();
    expect(journal.depth).toBe(9);
    journal.close();
  });
});
