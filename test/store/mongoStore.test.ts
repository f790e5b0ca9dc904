import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/createStore.js';
import { JournaledStore } from '../../src/store/journal/JournaledStore.js';
import { LocalJournal } from '../../src/store/journal/LocalJournal.js';
import { isMongoOutage } from '../../src/store/isMongoOutage.js';
import { MongoStore } from '../../src/store/MongoStore.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { FakeMongod } from '../helpers/FakeMongod.js';

const silent = pino({ level: 'silent' });
const message: ChatMessageRecord = { room: 'r', id: 'm1', user: 'u', name: 'U', text: 'hi', ts: 1 };

/** The promise's outcome (its error when it rejects), or 'pending' when it has not settled within `ms`: a hung write. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.catch((error: unknown) => error), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** MongoStore against a fake MongoDB (test/helpers/FakeMongod.ts): what it asks for, and how its failures read. */
describe('MongoStore writes (the official driver against a fake server)', () => {
  let mongod: FakeMongod;
  let uri: string;
  const stores: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    mongod = new FakeMongod();
    uri = await mongod.listen();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await mongod.close();
  });

  const open = async (options?: ConstructorParameters<typeof MongoStore>[1]) => {
    const store = new MongoStore(uri, options);
    stores.push(store);
    await store.open();
    return store;
  };

  it('asks for a majority, journaled acknowledgement with a time limit, so a replica set missing a secondary fails the write instead of holding it', async () => {
    const store = await open();
    await store.appendMessages([message]);
    await store.saveRoom({ name: 'r', port: 1, settings: {}, createdAt: 1 });
    await store.deleteRoom('r');
    const writes = [...mongod.received('update'), ...mongod.received('delete')];
    expect(writes).toHaveLength(3);
    for (const write of writes) expect(write.writeConcern).toEqual({ w: 'majority', j: true, wtimeout: 10_000 });
  });

  it('fails a write MongoDB never answers (a silent partition) within the socket timeout, as an outage', async () => {
    const store = await open({ socketTimeoutMS: 300 });
    mongod.answer = (command) => ('update' in command ? 'hang' : undefined);
    const started = Date.now();
    const outcome = await within(store.appendMessages([message]), 5_000);
    expect(outcome).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(isMongoOutage(outcome)).toBe(true);
  });

  it('journals a write MongoDB never answers instead of holding the commit forever', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mongo-journal-'));
    try {
      const store = new JournaledStore(new MongoStore(uri, { socketTimeoutMS: 300 }), new LocalJournal(dir, 100), silent, { isOutage: isMongoOutage, probeMs: 60_000 });
      stores.push(store);
      await store.open();
      mongod.answer = (command) => ('update' in command ? 'hang' : undefined);
      expect(await within(store.appendMessages([message]), 5_000)).toBeUndefined();
      expect(store.journal.depth).toBe(1);
      expect(store.health.up).toBe(false);
    } finally {
      for (const store of stores.splice(0)) await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells a write-concern timeout (an outage) from a document MongoDB refuses (not one)', async () => {
    const store = await open();
    mongod.answer = (command) =>
      'update' in command ? { ok: 1, n: 1, nModified: 0, writeConcernError: { code: 64, codeName: 'WriteConcernTimeout', errmsg: 'waiting for replication timed out', errInfo: { wtimeout: true } } } : undefined;
    const timedOut = await within(store.appendMessages([message]), 5_000);
    expect(timedOut).toBeInstanceOf(Error);
    expect(isMongoOutage(timedOut)).toBe(true);
    const replaced = await within(store.saveRoom({ name: 'r', port: 1, settings: {}, createdAt: 1 }), 5_000);
    expect(replaced).toBeInstanceOf(Error);
    expect(isMongoOutage(replaced)).toBe(true);

    mongod.answer = (command) =>
      'update' in command ? { ok: 1, n: 0, nModified: 0, writeErrors: [{ index: 0, code: 121, codeName: 'DocumentValidationFailure', errmsg: 'Document failed validation' }] } : undefined;
    const refused = await within(store.appendMessages([message]), 5_000);
    expect(refused).toBeInstanceOf(Error);
    expect(isMongoOutage(refused)).toBe(false);
    mongod.answer = (command) => ('update' in command ? { ok: 0, code: 10334, codeName: 'BSONObjectTooLarge', errmsg: 'object to insert too large' } : undefined);
    const tooLarge = await within(store.saveRoom({ name: 'r', port: 1, settings: {}, createdAt: 1 }), 5_000);
    expect(tooLarge).toBeInstanceOf(Error);
    expect(isMongoOutage(tooLarge)).toBe(false);
  });

  it('as the server builds it, refuses to its caller a write MongoDB refuses, and stays up', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mongo-journal-'));
    try {
      const store = createStore({ mongodbUri: uri, dataDir: dir, storeJournalMaxEntries: 100 }, silent) as JournaledStore;
      stores.push(store);
      await store.open();
      mongod.answer = (command) =>
        'update' in command ? { ok: 1, n: 0, nModified: 0, writeErrors: [{ index: 0, code: 121, codeName: 'DocumentValidationFailure', errmsg: 'Document failed validation' }] } : undefined;
      await expect(store.appendMessages([message])).rejects.toThrow(/Document failed validation/);
      expect(store.health.up).toBe(true);
      expect(store.journal.depth).toBe(0);
    } finally {
      for (const store of stores.splice(0)) await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
