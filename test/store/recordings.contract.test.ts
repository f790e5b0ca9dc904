import { describe, expect, it } from 'vitest';
import type { RecordingRecord } from '../../src/contracts/records.js';
import { countingStore } from '../../src/store/CountingStore.js';
import type { Store } from '../../src/store/Store.js';
import { freshStoreEachTest, storeTargets } from '../helpers/storeTargets.js';

const recording = (room: string, id: string, startedAt: number, endedAt: number | null = null): RecordingRecord => ({ room, id, startedAt, endedAt, duration: 0, bytes: 0 });

describe.each(storeTargets())('Store contract, recordings: $name', (target) => {
  let store: Store;
  freshStoreEachTest(target, () => store, (made) => (store = made));

  it('saves, replaces, gets, lists newest first and deletes recordings', async () => {
    const r = store.recordings;
    expect(await r.listRecordings('a')).toEqual([]);
    await r.saveRecording(recording('a', '000000001aaaa', 1));
    await r.saveRecording(recording('a', '000000002bbbb', 2));
    await r.saveRecording(recording('b', '000000003cccc', 3, 9));
    const ended = { ...recording('a', '000000001aaaa', 1, 5), duration: 3.5, bytes: 123_456_789_012 };
    await r.saveRecording(ended);
    expect(await r.getRecording('a', '000000001aaaa')).toEqual(ended);
    expect(await r.getRecording('b', '000000001aaaa')).toBeNull();
    expect((await r.listRecordings('a')).map((x) => x.id)).toEqual(['000000002bbbb', '000000001aaaa']);
    expect((await r.listAllRecordings()).map((x) => x.id)).toEqual(['000000001aaaa', '000000002bbbb', '000000003cccc']);
    expect(await r.listOpenRecordings()).toEqual([recording('a', '000000002bbbb', 2)]);
    expect(await r.deleteRecording('a', '000000002bbbb')).toBe(true);
    expect(await r.deleteRecording('a', '000000002bbbb')).toBe(false);
    await r.saveRecording(recording('b', '000000004dddd', 4));
    expect(await r.deleteRoomRecordings('b')).toBe(2);
    expect(await r.listAllRecordings()).toEqual([ended]);
  });

  it('keeps recordings across a close and reopen', async () => {
    await store.recordings.saveRecording(recording('p', '000000001aaaa', 1));
    await store.close();
    store = await target.make(true);
    expect(await store.recordings.listOpenRecordings()).toEqual([recording('p', '000000001aaaa', 1)]);
  });

  it('are counted by the counting store like every other call', async () => {
    const { store: counted, counters } = countingStore(store);
    await counted.recordings.saveRecording(recording('c', '000000001aaaa', 1));
    expect(await counted.recordings.listRecordings('c')).toHaveLength(1);
    expect(counters).toMatchObject({ reads: 1, writes: 1, errors: 0 });
  });
});
