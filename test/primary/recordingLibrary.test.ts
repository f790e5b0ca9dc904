import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingRecord } from '../../src/contracts/records.js';
import { initFile, renderRecordingPlaylist, segmentFile } from '../../src/hls/recording/recordingPlaylist.js';
import { createLogger } from '../../src/kit/createLogger.js';
import { RecordingLibrary } from '../../src/primary/RecordingLibrary.js';
import type { RecordingStore } from '../../src/store/RecordingStore.js';
import type { Store } from '../../src/store/Store.js';
import { storeTargets } from '../helpers/storeTargets.js';

const ID = '00000000aabcd';

/** A recording folder as a writer leaves it mid-broadcast: two complete segments, an EVENT playlist. */
async function recordingFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, initFile(1)), Buffer.alloc(100));
  for (const msn of [0, 1]) await writeFile(path.join(dir, segmentFile(msn)), Buffer.alloc(1000));
  await writeFile(path.join(dir, 'index.m3u8'), renderRecordingPlaylist([0, 1].map((msn) => ({ msn, duration: 1, programDateTime: 1_000_000 + msn * 1000, init: 1 })), false));
}

/** The real store's recordings, with a hook that can hold or fail a save (MongoDB slow or away). */
function hooked(real: RecordingStore, beforeSave: (recording: RecordingRecord) => Promise<void>): RecordingStore {
  return new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'saveRecording') return async (recording: RecordingRecord) => {
        await beforeSave(recording);
        return target.saveRecording(recording);
      };
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each(storeTargets())('RecordingLibrary with the store: $name', (target) => {
  let store: Store;
  let dir: string;

  beforeEach(async () => {
    store = await target.make(false);
    dir = await mkdtemp(path.join(os.tmpdir(), 'recordings-'));
    await recordingFolder(path.join(dir, 'room', ID));
  });
  afterEach(async () => {
    await store.close();
    await target.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const library = (recordings: RecordingStore) =>
    new RecordingLibrary({ store: () => recordings, dir, logger: createLogger('silent'), rooms: async () => [{ name: 'room' }], ended: () => undefined });
  const note = (endedAt: number | null, bytes: number) => ({ recording: { room: 'room', id: ID, startedAt: 1_000_000, endedAt, duration: 2, bytes }, failure: null, sealed: endedAt !== null });

  it('stores one recording\'s notes in the order they came, even when a write is slow', async () => {
    let releaseFirst: () => void = () => undefined;
    let firstEntered: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => (firstEntered = resolve));
    let saves = 0;
    const recordings = hooked(store.recordings, async () => {
      saves += 1;
      // The progress note's write is slow (MongoDB under load); the end's is fast.
      if (saves === 1) {
        const released = new Promise<void>((resolve) => (releaseFirst = resolve));
        firstEntered();
        await released;
      }
    });
    const made = library(recordings);
    const progress = made.noted(0, note(null, 1000));
    await entered;
    const end = made.noted(0, note(2_000_000, 2100));
    // The end's write would land first if it did not wait for the progress note's.
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await Promise.all([progress, end]);
    expect(await store.recordings.getRecording('room', ID)).toMatchObject({ endedAt: 2_000_000, bytes: 2100 });
    expect(made.totals()).toEqual({ count: 1, bytes: 2100, open: 0 });
  });

  it('seals a recording whose end could not be stored, at the next pass, from its folder', async () => {
    let away = false;
    const recordings = hooked(store.recordings, async () => {
      if (away) throw new Error('the store is away');
    });
    const made = library(recordings);
    await made.noted(0, note(null, 1000));
    away = true;
    // The worker's end note: not stored (the store is away), and no worker makes it any more.
    await made.noted(0, note(2_000_000, 2100));
    expect(await store.recordings.getRecording('room', ID)).toMatchObject({ endedAt: null });
    away = false;
    await made.sealAbandoned();
    expect(await store.recordings.getRecording('room', ID)).toMatchObject({ endedAt: 1_002_000, duration: 2, bytes: 2100 });
    expect(await readFile(path.join(dir, 'room', ID, 'index.m3u8'), 'utf8')).toContain('#EXT-X-ENDLIST');
    expect(made.totals()).toEqual({ count: 1, bytes: 2100, open: 0 });
  });

  it('leaves a recording a worker is making alone', async () => {
    const made = library(store.recordings);
    await made.noted(0, note(null, 1000));
    await made.sealAbandoned();
    expect(await store.recordings.getRecording('room', ID)).toMatchObject({ endedAt: null });
    expect(await readFile(path.join(dir, 'room', ID, 'index.m3u8'), 'utf8')).not.toContain('#EXT-X-ENDLIST');
    expect(made.totals()).toEqual({ count: 1, bytes: 1000, open: 1 });
  });
});
