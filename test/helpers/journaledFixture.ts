import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { JournaledStore, type JournaledStoreOptions } from '../../src/store/journal/JournaledStore.js';
import { LocalJournal } from '../../src/store/journal/LocalJournal.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { switchable } from './switchableStore.js';

export const silent = pino({ level: 'silent' });

export const message = (room: string, i: number, extra: Partial<ChatMessageRecord> = {}): ChatMessageRecord => ({
  room,
  id: `m${String(i).padStart(6, '0')}`,
  user: 'u',
  name: 'U',
  text: `${room} ${i}`,
  ts: Date.now(),
  ...extra,
});

export const ids = (messages: readonly ChatMessageRecord[]) => messages.map((m) => m.id);

/**
 * A JournaledStore over a real SqliteStore standing in for MongoDB behind a switch
 * (switchableStore.ts), in a temporary folder: `make` builds and opens one (the journal in
 * `journalDir`), `cleanup` closes everything it made and removes the folder.
 */
export async function journaledFixture() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'journal-'));
  const remote = new SqliteStore(path.join(dir, 'remote'));
  await remote.open();
  const sw = switchable(remote);
  const journalDir = path.join(dir, 'local');
  const made: JournaledStore[] = [];
  const make = async (options: Partial<JournaledStoreOptions> & { maxEntries?: number; logger?: Logger } = {}) => {
    const { maxEntries = 1_000, logger = silent, ...rest } = options;
    const store = new JournaledStore(sw.store, new LocalJournal(journalDir, maxEntries), logger, { probeMs: 20, ...rest });
    made.push(store);
    await store.open();
    return store;
  };
  /** Resolves at the next 'up' of the store's health. */
  const back = (store: JournaledStore) => new Promise<void>((resolve) => store.health.once('up', resolve));
  const cleanup = async () => {
    for (const store of made) await store.close();
    await remote.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, journalDir, remote, sw, make, back, cleanup };
}
