import { DatabaseSync } from 'node:sqlite';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalJournal } from '../../src/store/journal/LocalJournal.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import type { RoomRecord } from '../../src/store/Store.js';
import { ids, journaledFixture, message } from '../helpers/journaledFixture.js';

/** What the store answers for a write it will never take (a document too large, a failed validation): not an outage. */
class RefusedError extends Error {}

const room = (name: string): RoomRecord => ({ name, port: 1, settings: {}, createdAt: 1 });

/** Refuses messages whose text says so, and the room named 'refused'. */
function refuse(method: string, args: readonly unknown[]): Error | undefined {
  if (method === 'appendMessages' && (args[0] as ChatMessageRecord[]).some((m) => m.text === 'refused')) return new RefusedError('document failed validation');
  if (method === 'saveRoom' && (args[0] as RoomRecord).name === 'refused') return new RefusedError('document failed validation');
  return undefined;
}

describe('JournaledStore and errors that are not outages', () => {
  let fx: Awaited<ReturnType<typeof journaledFixture>>;
  const isOutage = (error: unknown) => !(error instanceof RefusedError);

  beforeEach(async () => {
    fx = await journaledFixture();
    fx.sw.state.refuse = refuse;
  });
  afterEach(() => fx.cleanup());

  it('throws a refused direct write to the caller and stays up, journaling nothing', async () => {
    const store = await fx.make({ isOutage });
    let downs = 0;
    store.health.on('down', () => (downs += 1));
    await expect(store.appendMessages([message('r', 1, { text: 'refused' })])).rejects.toThrow(RefusedError);
    await expect(store.saveRoom(room('refused'))).rejects.toThrow(RefusedError);
    expect(store.health.up).toBe(true);
    expect(downs).toBe(0);
    expect(store.journal.depth).toBe(0);
    // The next write goes straight to the store.
    await store.appendMessages([message('r', 2)]);
    expect(store.journal.depth).toBe(0);
    expect(ids(await fx.remote.listMessages('r', { limit: 10 }))).toEqual(['m000002']);
  });

  it('sets a refused entry aside in the replay, logs it, and replays the rest in order without going down', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
    const store = await fx.make({ isOutage, logger });
    fx.sw.state.down = true;
    await store.appendMessages([message('r', 1), message('r', 2, { text: 'refused' }), message('r', 3)]);
    await store.saveRoom(room('refused'));
    await store.saveRoom(room('kept'));
    await store.appendMessages([message('r', 4)]);
    expect(store.journal.depth).toBe(6);
    lines.length = 0;
    let downs = 0;
    store.health.on('down', () => (downs += 1));

    const back = fx.back(store);
    fx.sw.state.down = false;
    await back;
    await store.replay();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.journal.depth).toBe(0);
    expect(store.journal.setAside).toBe(2);
    expect(downs).toBe(0);
    expect(store.health.up).toBe(true);
    expect(ids(await fx.remote.listMessages('r', { limit: 10 }))).toEqual(['m000001', 'm000003', 'm000004']);
    expect((await fx.remote.listRooms()).map((r) => r.name)).toEqual(['kept']);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; kind?: string; room?: string; id?: string });
    expect(logged.filter((line) => line.kind !== undefined).map(({ kind, room, id }) => ({ kind, room, id }))).toEqual([
      { kind: 'message', room: 'r', id: 'm000002' },
      { kind: 'saveRoom', room: 'refused', id: undefined },
    ]);

    // Kept in the journal file with why, and counted again at the next start.
    await store.close();
    const db = new DatabaseSync(store.journal.file, { readOnly: true });
    const rows = db.prepare('SELECT kind, room, id, error, at FROM set_aside ORDER BY seq').all();
    db.close();
    expect(rows.map((row) => [row.kind, row.room, row.id])).toEqual([
      ['message', 'r', 'm000002'],
      ['saveRoom', 'refused', null],
    ]);
    expect(rows.every((row) => String(row.error).includes('document failed validation') && typeof row.at === 'number')).toBe(true);
    const reopened = new LocalJournal(fx.journalDir, 1_000);
    reopened.open();
    expect(reopened.setAside).toBe(2);
    expect(reopened.depth).toBe(0);
    reopened.close();
  });
});
