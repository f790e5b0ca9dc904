import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ChatMessageRecord } from '../../src/contracts/records.js';
import { NEDB_IMPORT_KEY } from '../../src/store/sqlite/importNedb.js';
import { readMeta } from '../../src/store/sqlite/meta.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Files the previous version's NeDB store wrote, left un-compacted as a killed server leaves them. */
const FIXTURE = path.join(ROOT, 'test/fixtures/nedb-data');
const OLD_FILES = ['bans.db', 'messages.db', 'revocations.db', 'rooms.db', 'settings.db'];

/** The fixture's messages, made here independently of its file: message i went to stage when i % 3 === 0. */
function fixtureMessage(i: number): ChatMessageRecord {
  return {
    room: i % 3 === 0 ? 'stage' : 'lobby',
    id: `0mh${String(i).padStart(4, '0')}aaaa`,
    user: `u${i % 5}`,
    name: `User ${i % 5}`,
    text: `message ${i} with "quotes" and ünïcode ✓`,
    ts: 1764000300000 + i * 1000,
  };
}
const FIXTURE_MESSAGES = Array.from({ length: 120 }, (_, i) => fixtureMessage(i));
const FIXTURE_COUNTS = { rooms: 2, messages: 120, bans: 2, settings: 1, revocations: 1 };

describe('importing the previous version\'s NeDB files', () => {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nedb-import-'));
    dirs.push(dir);
    return dir;
  };
  const fixtureCopy = (): string => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    return dir;
  };
  const open = async (dir: string): Promise<SqliteStore> => {
    const store = new SqliteStore(dir);
    stores.push(store);
    await store.open();
    return store;
  };
  const messageCount = (store: SqliteStore): number => (store.database.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;

  it('imports every live record, reports the counts, records the import and renames the old files', async () => {
    const dir = fixtureCopy();
    const store = await open(dir);

    expect(await store.listRooms()).toEqual([
      { name: 'lobby', port: 34000, settings: {}, createdAt: 1764000000000 },
      { name: 'stage', port: 34003, settings: { anonymous: false, historySize: 80 }, createdAt: 1764000100000 },
    ]);
    expect(await store.getRoom('gone')).toBeNull();
    expect(await store.listMessages('lobby', { limit: 1_000 })).toEqual(FIXTURE_MESSAGES.filter((m) => m.room === 'lobby'));
    expect(await store.listMessages('stage', { limit: 1_000 })).toEqual(FIXTURE_MESSAGES.filter((m) => m.room === 'stage'));
    expect(await store.listBans(0)).toEqual([
      { id: 'ban-1', user: 'spammer', room: null, reason: 'spam', createdAt: 1764000000500, expiresAt: null },
      { id: 'ban-2', user: 'troll', room: 'lobby', reason: 'abuse', createdAt: 1764000000600, expiresAt: 4102444800000, by: 'mod-1' },
    ]);
    expect(await store.listRevocations(0)).toEqual([{ user: 'leaker', room: null, revokedAt: 1764000000900 }]);
    expect(await store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, bannedWords: ['darn'], welcomeText: 'Welcome!', historySize: 80 });

    expect(store.lastImport).toMatchObject({ imported: true, counts: FIXTURE_COUNTS, problems: [], problemCount: 0 });
    expect(readMeta(store.database, NEDB_IMPORT_KEY)).toMatchObject({ counts: FIXTURE_COUNTS, problems: 0 });
    for (const name of OLD_FILES) {
      expect(existsSync(path.join(dir, name)), name).toBe(false);
      expect(readFileSync(path.join(dir, `${name}.imported`)), `${name} renamed, its bytes unchanged`).toEqual(readFileSync(path.join(FIXTURE, name)));
    }
    expect(store.lastImport?.renamed.map(({ to }) => path.basename(to)).sort()).toEqual(OLD_FILES.map((name) => `${name}.imported`));
  });

  it('imports nothing and touches nothing at the next start', async () => {
    const dir = fixtureCopy();
    await (await open(dir)).close();
    const before = readdirSync(dir)
      .filter((name) => name.endsWith('.imported'))
      .map((name) => ({ name, mtimeMs: statSync(path.join(dir, name)).mtimeMs }));

    const again = await open(dir);
    expect(again.lastImport).toBeUndefined();
    expect(messageCount(again)).toBe(120);
    expect((await again.listRooms()).map((room) => room.name)).toEqual(['lobby', 'stage']);
    const after = readdirSync(dir)
      .filter((name) => name.endsWith('.imported'))
      .map((name) => ({ name, mtimeMs: statSync(path.join(dir, name)).mtimeMs }));
    expect(after).toEqual(before);
  });

  it('skips a garbage line, a half-written last line and documents with missing or wrong fields, naming file and line, and imports the rest', async () => {
    const dir = fixtureCopy();
    const messages = path.join(dir, 'messages.db');
    const lines = readFileSync(messages, 'utf8').split('\n');
    lines.splice(50, 0, 'garbage \u0000 from a bad disk sector');
    writeFileSync(messages, lines.join('\n'));
    // A killed server's last append: cut mid-document, no newline.
    appendFileSync(messages, '{"room":"lobby","id":"0mh0999aaaa","user":"u4","name":"User 4","text":"cut sh');
    appendFileSync(path.join(dir, 'bans.db'), '{"id":"ban-4","user":"x","room":null,"createdAt":1764000000800,"_id":"noReasonNoExpiry"}\n');
    appendFileSync(path.join(dir, 'rooms.db'), '{"name":"typo","port":"34009","settings":{},"createdAt":1764000300000,"_id":"portIsAString"}\n');

    const store = await open(dir);
    const problems = store.lastImport?.problems ?? [];
    expect(problems.map(({ file, line }) => `${path.basename(file)}:${line}`)).toEqual(['rooms.db:7', 'messages.db:51', 'messages.db:124', 'bans.db:6']);
    expect(problems[0]?.reason).toMatch(/invalid room \(port: .*expected number/);
    expect(problems[1]?.reason).toMatch(/not a whole JSON document/);
    expect(problems[2]?.reason).toMatch(/not a whole JSON document/);
    expect(problems[3]?.reason).toMatch(/invalid ban \(reason: .*; expiresAt: /);
    expect(problems[0]?.file).toBe(path.join(dir, 'rooms.db'));
    expect(store.lastImport).toMatchObject({ imported: true, counts: FIXTURE_COUNTS, problemCount: 4 });
    expect(await store.listMessages('lobby', { limit: 1_000 })).toEqual(FIXTURE_MESSAGES.filter((m) => m.room === 'lobby'));
    expect((await store.listBans(0)).map((ban) => ban.id)).toEqual(['ban-1', 'ban-2']);
    expect(existsSync(`${messages}.imported`)).toBe(true);
  });

  it('reads NeDB dates as epoch milliseconds, and a file NeDB left only as <name>~ (a crash in its first compaction)', async () => {
    const dir = fixtureCopy();
    renameSync(path.join(dir, 'rooms.db'), path.join(dir, 'rooms.db~'));
    appendFileSync(path.join(dir, 'messages.db'), '{"room":"lobby","id":"0mh0120aaaa","user":"u0","name":"User 0","text":"dated","ts":{"$$date":1764000420000},"_id":"dated"}\n');

    const store = await open(dir);
    expect((await store.listRooms()).map((room) => room.name)).toEqual(['lobby', 'stage']);
    expect((await store.listMessages('lobby', { limit: 1 }))[0]).toMatchObject({ text: 'dated', ts: 1764000420000 });
    expect(existsSync(path.join(dir, 'rooms.db~.imported'))).toBe(true);
    expect(existsSync(path.join(dir, 'rooms.db~'))).toBe(false);
  });

  it('only renames the files when the import was committed but the files not yet renamed (a kill in between)', async () => {
    const dir = fixtureCopy();
    const first = await open(dir);
    await first.deleteRoom('stage');
    await first.close();
    // The old files back under their names, as if the renames had not happened.
    cpSync(FIXTURE, dir, { recursive: true });

    const second = await open(dir);
    expect(second.lastImport).toMatchObject({ imported: false, counts: { rooms: 0, messages: 0, bans: 0, settings: 0, revocations: 0 } });
    expect((await second.listRooms()).map((room) => room.name), 'nothing imported twice').toEqual(['lobby']);
    expect(messageCount(second)).toBe(120);
    for (const name of OLD_FILES) {
      expect(existsSync(path.join(dir, name))).toBe(false);
      expect(existsSync(path.join(dir, `${name}.imported`)), 'the first renamed file is kept').toBe(true);
      expect(existsSync(path.join(dir, `${name}.imported.1`)), 'the second gets a name of its own').toBe(true);
    }
  });

  it('loses nothing and imports exactly once when killed (SIGKILL) in the middle of the import transaction', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const total = 300_000;
    writeNedbMessages(path.join(dir, 'messages.db'), total);

    const importer = spawnImporter(dir);
    await importer.waitFor("NeDB files read: writing them in one transaction");
    // The transaction spills its pages into the WAL as it goes: once the WAL has grown by
    // megabytes, the import is under way and far from its commit (some 60 MB of rows).
    const wal = path.join(dir, 'chatserver.sqlite-wal');
    const walAtStart = existsSync(wal) ? statSync(wal).size : 0;
    await expect.poll(() => (existsSync(wal) ? statSync(wal).size : 0), { timeout: 60_000, interval: 5 }).toBeGreaterThan(walAtStart + 4_000_000);
    importer.kill();
    expect(await importer.exited).toBe('SIGKILL');

    expect(existsSync(path.join(dir, 'messages.db')), 'the old file untouched').toBe(true);
    const raw = new DatabaseSync(path.join(dir, 'chatserver.sqlite'));
    expect(raw.prepare('SELECT count(*) AS n FROM messages').get(), 'nothing of the killed transaction committed').toEqual({ n: 0 });
    raw.close();

    const store = await open(dir);
    expect(store.lastImport).toMatchObject({ imported: true, counts: { messages: total }, problemCount: 0 });
    expect(messageCount(store)).toBe(total);
    expect(existsSync(path.join(dir, 'messages.db.imported'))).toBe(true);
    await store.close();
    const reopened = await open(dir);
    expect(reopened.lastImport).toBeUndefined();
    expect(messageCount(reopened)).toBe(total);
  });
});

/** A messages.db as the previous version wrote it: index lines, then one document per line. */
function writeNedbMessages(file: string, count: number): void {
  writeFileSync(file, '{"$$indexCreated":{"fieldName":"room"}}\n{"$$indexCreated":{"fieldName":"id,room","unique":true}}\n');
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const room = `room-${i % 50}`;
      const id = `0mk${String(i).padStart(8, '0')}`;
      lines.push(JSON.stringify({ room, id, user: `u${i % 97}`, name: `User ${i % 97}`, text: `bulk message ${i}, long enough to look like chat`, ts: 1764000000000 + i, _id: `${room}/${id}` }));
    }
    appendFileSync(file, `${lines.join('\n')}\n`);
  }
}

/** The store opened by the built code in a process of its own, its log lines on stdout. */
function spawnImporter(dir: string): { waitFor(msg: string): Promise<void>; kill(): void; exited: Promise<NodeJS.Signals | null> } {
  const url = (file: string) => pathToFileURL(path.join(ROOT, 'dist', file)).href;
  const script = `
    import { SqliteStore } from '${url('store/sqlite/SqliteStore.js')}';
    import { createLogger } from '${url('kit/createLogger.js')}';
    const store = new SqliteStore(process.env.DATA_DIR, { logger: createLogger('info') });
    await store.open();
    await store.close();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    const msg = (JSON.parse(text) as { msg?: string }).msg ?? '';
    seen.add(msg);
    waiters.get(msg)?.();
  });
  return {
    waitFor: (msg) =>
      new Promise<void>((resolve, reject) => {
        if (seen.has(msg)) return resolve();
        waiters.set(msg, resolve);
        void exited.then(() => reject(new Error(`the importer exited before logging "${msg}"`)));
      }),
    kill: () => child.kill('SIGKILL'),
    exited,
  };
}
