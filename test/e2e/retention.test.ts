import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { seedRoom } from '../helpers/historyLoad.js';
import { isAlive, serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite/SqliteStore.js';

/** `GET .../history/export` read whole: status, content type and the NDJSON lines parsed. */
async function exportHistory(server: ServerProcess, room: string): Promise<{ status: number; type: string | null; text: string; lines: Frame[] }> {
  const response = await fetch(`http://127.0.0.1:${server.adminPort}/api/v1/room/${room}/history/export`, { headers: { 'x-api-key': server.env.ADMIN_KEY! } });
  const text = await response.text();
  const lines = response.ok ? text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Frame) : [];
  return { status: response.status, type: response.headers.get('content-type'), text, lines };
}

/** Sends messages and waits for each acknowledgement; resolves with the acknowledged messages. */
async function chat(client: ChatTestClient, texts: readonly string[]): Promise<Frame[]> {
  const acked: Frame[] = [];
  for (const [ref, text] of texts.entries()) {
    client.send({ type: 'message', text, ref });
    acked.push(await client.next((f) => f.type === 'message' && f.ref === ref));
  }
  return acked;
}

/** Every stored message of a room, read from the database file while no server runs. */
async function storedMessages(dataDir: string, room: string): Promise<Array<{ id: string; text: string }>> {
  const store = new SqliteStore(dataDir);
  await store.open();
  try {
    return (await store.listMessagesAfter(room, undefined, 10_000_000)).map(({ id, text }) => ({ id, text }));
  } finally {
    await store.close();
  }
}

describe('history retention, export, delete and backups (real server)', () => {
  const start = serversPerTest(afterEach);
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('validates the retention settings, globally and per room', async () => {
    const server = await start({ workers: 1 });
    for (const bad of [0, -1, 1.5, 3651, 'a month']) expect((await server.admin('PATCH', '/api/v1/settings', { historyRetentionDays: bad })).status).toBe(400);
    for (const bad of [0, 100_001]) expect((await server.admin('PATCH', '/api/v1/settings', { historyMaxMessages: bad })).status).toBe(400);
    const set = await server.admin('PATCH', '/api/v1/settings', { historyRetentionDays: 30, historyMaxMessages: 1000 });
    expect(set.body.data).toMatchObject({ historyRetentionDays: 30, historyMaxMessages: 1000 });
    expect((await server.admin('PATCH', '/api/v1/settings', { historyMaxMessages: null })).body.data).toMatchObject({ historyRetentionDays: 30, historyMaxMessages: null });

    for (const bad of [{ historyRetentionDays: -1 }, { historyMaxMessages: 100_001 }, { historyMaxMessages: 2.5 }, { historyRetentionDays: true }]) {
      const answer = await server.createRoom('bad', bad);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('BAD_REQUEST');
    }
    expect((await server.createRoom('forever', { historyRetentionDays: 0, historyMaxMessages: 0 })).status).toBe(201);
  });

  it('exports a room as NDJSON, oldest first and without refs, deletes it, and the room\'s worker forgets it too', async () => {
    const server = await start({ workers: 1, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    const port = (await server.createRoom('talk')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'Ann' });
    cleanup.push(() => client.close());
    const acked = await chat(client, ['one', 'two', 'three', 'four', 'five']);

    const exported = await exportHistory(server, 'talk');
    expect(exported.status).toBe(200);
    expect(exported.type).toBe('application/x-ndjson; charset=utf-8');
    expect(exported.text.endsWith('\n')).toBe(true);
    expect(exported.lines).toEqual(acked.map((m) => ({ room: 'talk', id: m.id, user: m.user, name: m.name, text: m.text, ts: m.ts })));

    expect((await exportHistory(server, 'nobody')).status).toBe(404);
    expect((await server.admin('DELETE', '/api/v1/room/nobody/history')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await server.admin('GET', '/api/v1/room/bad%20name/history/export')).body.error.code).toBe('INVALID_ROOM_NAME');
    expect((await server.api('GET', '/api/v1/room/talk/history/export', { admin: true, key: 'wrong' })).status).toBe(401);

    const deleted = await server.admin('DELETE', '/api/v1/room/talk/history');
    expect(deleted.body).toEqual({ data: { room: 'talk', deleted: 5 } });
    const empty = await exportHistory(server, 'talk');
    expect([empty.status, empty.text]).toEqual([200, '']);
    // The worker dropped its recent messages: a new viewer's welcome and history are empty.
    await client.sync();
    const { client: late, welcome } = await ChatTestClient.join(port, { name: 'Bob' });
    cleanup.push(() => late.close());
    expect(welcome.history).toEqual([]);
    late.send({ type: 'history', ref: 'h' });
    expect((await late.next((f) => f.ref === 'h')).messages).toEqual([]);
    // The room goes on.
    const [after] = await chat(client, ['after the delete']);
    expect((await exportHistory(server, 'talk')).lines.map((m) => m.id)).toEqual([after!.id]);
  });

  it('deletes a deleted room\'s stored history, batch after batch, and a new room of that name starts empty', async () => {
    // Past the 500 messages of one batch, three times over.
    const server = await start({ workers: 1, roomPortCount: 4, seed: (dataDir, roomPorts) => seedRoom(dataDir, 'doomed', roomPorts.first, 1_600) });
    const { dataDir } = server;
    expect((await exportHistory(server, 'doomed')).lines).toHaveLength(1_600);

    expect((await server.api('DELETE', '/api/v1/room/doomed', { key: server.env.KEY })).status).toBe(200);
    // The history goes after the answer (in batches): no room and no message left is a 404.
    await expect.poll(async () => (await exportHistory(server, 'doomed')).status, { timeout: 10_000 }).toBe(404);
    const port = (await server.createRoom('doomed')).body.data.port as number;
    const { client, welcome } = await ChatTestClient.join(port, { name: 'Newcomer' });
    cleanup.push(() => client.close());
    expect(welcome.history).toEqual([]);
    await server.stop('SIGTERM');
    expect(await storedMessages(dataDir, 'doomed')).toEqual([]);
  });

  it('prunes to the newest N when the setting changes, a room\'s own setting winning, and counts it', async () => {
    const server = await start({ workers: 1, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    const texts = ['1', '2', '3', '4', '5', '6'];
    const sent: Record<string, Frame[]> = {};
    for (const [room, settings] of [['plain', undefined], ['own', { historyMaxMessages: 2 }], ['forever', { historyMaxMessages: 0 }]] as const) {
      const port = (await server.createRoom(room, settings)).body.data.port as number;
      const { client } = await ChatTestClient.join(port, { name: 'Ann' });
      sent[room] = await chat(client, texts);
      client.close();
    }
    // Every acknowledged message is in the store already (acknowledgements follow the commit).
    const since = server.logs.length;
    await server.admin('PATCH', '/api/v1/settings', { historyMaxMessages: 4 });
    await expect.poll(async () => (await server.stats()).retention, { timeout: 10_000, interval: 50 }).toMatchObject({ pruned: 2 + 4 });
    // The pass's line docs/operations.md describes: how many rooms it pruned shows only there.
    const line = await server.waitForLog((l) => l.msg === 'history pruned', 10_000, since);
    expect(line).toMatchObject({ pruned: 2 + 4, rooms: 2 });

    expect((await exportHistory(server, 'plain')).lines.map((m) => m.text)).toEqual(['3', '4', '5', '6']);
    expect((await exportHistory(server, 'own')).lines.map((m) => m.text)).toEqual(['5', '6']);
    expect((await exportHistory(server, 'forever')).lines).toHaveLength(6);
    expect((await server.admin('GET', '/api/v1/stats')).body.data.retention).toMatchObject({ pruned: 6, failures: 0 });
    expect((await server.admin('GET', '/metrics')).body).toMatch(/^chatserver_messages_pruned_total 6$/m);
  });

  it('writes an online backup into DATA_DIR/backups that opens as a store with the data in it', async () => {
    const server = await start({ workers: 1 });
    const port = (await server.createRoom('kept', { historyMaxMessages: 100 })).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'Ann' });
    cleanup.push(() => client.close());
    const acked = await chat(client, ['backed up']);

    const answer = await server.admin('POST', '/api/v1/server/backup');
    expect(answer.status).toBe(200);
    const { file, bytes, tookMs } = answer.body.data as { file: string; bytes: number; tookMs: number };
    expect(path.dirname(file)).toBe(path.join(server.dataDir, 'backups'));
    // The answer describes the file as it is on disk.
    const { statSync } = await import('node:fs');
    expect(bytes).toBe(statSync(file).size);
    expect(Number.isInteger(tookMs)).toBe(true);

    const restoredDir = mkdtempSync(path.join(os.tmpdir(), 'restored-'));
    cleanup.push(() => rmSync(restoredDir, { recursive: true, force: true }));
    copyFileSync(file, path.join(restoredDir, DATABASE_FILE));
    const restored = new SqliteStore(restoredDir);
    await restored.open();
    expect(await restored.getRoom('kept')).toMatchObject({ name: 'kept', port, settings: { historyMaxMessages: 100 } });
    expect((await restored.listMessages('kept', { limit: 10 })).map((m) => m.id)).toEqual([acked[0]!.id]);
    await restored.close();
  });

  /**
   * A server started on a folder whose `room` was seeded with `count` messages (as stored, read
   * before the start), and how to start it again on that folder once it is killed.
   */
  const seeded = async (room: string, count: number, env: Record<string, string> = {}) => {
    let seededMessages: Array<{ id: string; text: string }> = [];
    const server = await start({
      workers: 1,
      roomPortCount: 4,
      env,
      seed: async (dataDir, roomPorts) => {
        await seedRoom(dataDir, room, roomPorts.first, count);
        seededMessages = await storedMessages(dataDir, room);
      },
      readyTimeoutMs: 60_000,
    });
    expect(seededMessages).toHaveLength(count);
    const restart = () => start({ workers: 1, dataDir: server.dataDir, ports: server.ports, env, readyTimeoutMs: 60_000 });
    return { server, dataDir: server.dataDir, seededMessages, restart };
  };

  /** kill -9 of the primary; resolves once its workers (which notice the closed channel) are gone too. */
  const killPrimary = async (server: ServerProcess, workerPids: number[]) => {
    await server.stop('SIGKILL');
    await expect.poll(() => workerPids.filter(isAlive), { timeout: 15_000 }).toEqual([]);
  };
  const workerPids = async (server: ServerProcess) => ((await server.admin('GET', '/api/v1/stats')).body.data.workers as Array<{ pid: number }>).map((w) => w.pid);

  it('survives kill -9 of the primary during a backup: the next start opens the database with every message, and the cut copy is cleared', { timeout: 120_000 }, async () => {
    const { server, dataDir, seededMessages, restart } = await seeded('big', 300_000);
    const pids = await workerPids(server);
    // The copy's file appears once the copy has begun (on a thread of the server's pool): then the kill.
    const backups = path.join(dataDir, 'backups');
    mkdirSync(backups);
    const watcher = watch(backups);
    cleanup.push(() => watcher.close());
    const copying = new Promise<void>((resolve) => watcher.on('change', (_event, name) => String(name).endsWith('.sqlite.partial') && resolve()));
    const request = server.admin('POST', '/api/v1/server/backup').catch((error: unknown) => error);
    await copying;
    await killPrimary(server, pids);
    expect(await request).toBeInstanceOf(Error);
    // Killed mid-copy: only the partial copy is there, never a final name over a half file.
    const left = readdirSync(backups);
    expect(left.some((name) => name.endsWith('.sqlite.partial'))).toBe(true);
    expect(left.filter((name) => name.endsWith('.sqlite'))).toEqual([]);

    const again = await restart();
    const answer = await again.admin('POST', '/api/v1/server/backup');
    expect(answer.status).toBe(200);
    expect(readdirSync(backups)).toEqual([path.basename(answer.body.data.file as string)]);
    // The whole room streams out, page after page.
    expect((await exportHistory(again, 'big')).lines.map(({ id, text }) => ({ id, text }))).toEqual(seededMessages);
    await again.stop();
    expect(await storedMessages(dataDir, 'big')).toEqual(seededMessages);
  });

  it('survives kill -9 of the primary during pruning: the next start opens the database, and every message retention keeps is there', { timeout: 120_000 }, async () => {
    const { server, dataDir, seededMessages, restart } = await seeded('big', 300_000);
    const pids = await workerPids(server);
    const pruned = async (of: ServerProcess) => (await of.stats()).retention.pruned as number;
    await server.admin('PATCH', '/api/v1/settings', { historyMaxMessages: 1000 });
    // The first batches are gone (counted per batch): the pass is under way.
    await expect.poll(() => pruned(server), { timeout: 30_000, interval: 10 }).toBeGreaterThan(0);
    await killPrimary(server, pids);
    const afterKill = await storedMessages(dataDir, 'big');
    // Killed mid-pass: some batches went, not all of them; what is left is the newest, whole.
    expect(afterKill.length).toBeLessThan(seededMessages.length);
    expect(afterKill.length).toBeGreaterThan(1000);
    expect(afterKill).toEqual(seededMessages.slice(-afterKill.length));

    const again = await restart();
    // The setting was stored: the next pass (asked for by any settings change) finishes the work.
    await again.admin('PATCH', '/api/v1/settings', { welcomeText: 'back' });
    await expect.poll(() => pruned(again), { timeout: 30_000, interval: 50 }).toBe(afterKill.length - 1000);
    await again.stop();
    expect(await storedMessages(dataDir, 'big')).toEqual(seededMessages.slice(-1000));
  });
});
