import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiErrorFor } from '../../src/http/domainErrors.js';
import { backupName, StoreBackups } from '../../src/primary/StoreBackups.js';
import type { Store } from '../../src/store/Store.js';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/SqliteStore.js';

const silent = pino({ level: 'silent' });

/** What the API answers for what `run` throws. */
function answerTo(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return apiErrorFor(error);
  }
  return undefined;
}

describe('StoreBackups', () => {
  let dir: string;
  let store: SqliteStore;
  const backupsDir = () => path.join(dir, 'backups');
  const backups = (keep = 3, of: Store = store) =>
    new StoreBackups({ store: of, dir: backupsDir(), keep, logger: silent });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'backups-'));
    store = new SqliteStore(path.join(dir, 'data'));
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names backups by ISO time, safe for every file system and sorting by age', () => {
    expect(backupName(new Date('2026-05-01T12:34:56.789Z'))).toBe('chatserver-2026-05-01T12-34-56-789Z.sqlite');
  });

  it('writes a whole copy that opens as a store, under its final name only once whole', async () => {
    await store.saveRoom({ name: 'r', port: 34000, settings: {}, createdAt: 1 });
    await store.appendMessages([{ room: 'r', id: 'a', user: 'u', name: 'U', text: 'kept', ts: 1 }]);
    const result = await backups().run();
    expect(path.dirname(result.file)).toBe(backupsDir());
    expect(path.basename(result.file)).toMatch(/^chatserver-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.sqlite$/);
    expect(result.bytes).toBeGreaterThan(0);
    expect(readdirSync(backupsDir())).toEqual([path.basename(result.file)]);

    const restoredDir = path.join(dir, 'restored');
    mkdirSync(restoredDir);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(result.file, path.join(restoredDir, DATABASE_FILE));
    const restored = new SqliteStore(restoredDir);
    await restored.open();
    expect(await restored.listMessages('r', { limit: 10 })).toEqual([{ room: 'r', id: 'a', user: 'u', name: 'U', text: 'kept', ts: 1 }]);
    await restored.close();
  });

  it('runs one backup at a time (409), keeps the newest N, and clears what a crash left half written', async () => {
    const runner = backups(2);
    mkdirSync(backupsDir());
    writeFileSync(path.join(backupsDir(), 'chatserver-2020-01-01T00-00-00-000Z.sqlite.partial'), 'cut short');
    writeFileSync(path.join(backupsDir(), 'chatserver-2020-01-01T00-00-00-000Z.sqlite.partial-journal'), 'cut short');
    writeFileSync(path.join(backupsDir(), 'chatserver-2020-01-01T00-00-00-000Z.sqlite'), 'an old backup');
    writeFileSync(path.join(backupsDir(), 'notes.txt'), 'not ours');

    const first = runner.run();
    expect(answerTo(() => runner.run())).toMatchObject({ code: 'CONFLICT', status: 409 });
    const written = [await first];
    written.push(await runner.run());
    written.push(await runner.run());
    expect(readdirSync(backupsDir()).sort()).toEqual(['notes.txt', ...written.slice(1).map((w) => path.basename(w.file))].sort());
  });

  it('answers BACKUP_UNSUPPORTED (501) for a store without online backups (MongoDB)', () => {
    const mongoLike = { kind: 'mongodb' } as unknown as Store;
    expect(answerTo(() => backups(3, mongoLike).run())).toMatchObject({ code: 'BACKUP_UNSUPPORTED', status: 501 });
  });
});
