import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { unusedPort } from '../helpers/ports.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/**
 * MongoDB unreachable at start (a port where nothing listens): the server starts anyway, takes
 * rooms and chat, and commits the writes to its local journal (bounded, counted, logged) for
 * when the store answers. The way back is tested with an injected failing store
 * (test/store/journaledStore.test.ts) and,
 * where MONGODB_URI is set, through a TCP proxy (test/store/mongoOutage.test.ts).
 */
describe('started while MongoDB is unreachable', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;

  beforeAll(async () => {
    const nowhere = await unusedPort();
    server = await start({ workers: 1, env: { MONGODB_URI: `mongodb://127.0.0.1:${nowhere}/chatserver` } });
  }, 30_000);

  it('says so once, serves rooms and chat, and journals the writes', async () => {
    // "Says so": the line docs/operations.md promises the operator (the state itself is checked below).
    expect(server.logs.some((line) => String(line.msg).startsWith('MongoDB unreachable at start'))).toBe(true);
    expect((await server.api('GET', '/health')).status).toBe(200);
    const created = await server.createRoom('offline');
    expect(created.status).toBe(201);
    const { client, welcome } = await ChatTestClient.join(created.body.data.port, { name: 'Ann' });
    expect(welcome.history).toEqual([]);
    client.send({ type: 'message', text: 'kept for later', ref: 1 });
    expect(await client.next((f) => f.ref === 1, 10_000)).toMatchObject({ type: 'message', text: 'kept for later' });
    client.close();

    const stats = (await server.admin('GET', '/api/v1/stats')).body.data;
    // The room and the message, on this machine's disk until MongoDB takes them.
    expect(stats.store).toMatchObject({ up: false, journalEntries: 2 });
    expect(stats.messages).toMatchObject({ committed: 1, waiting: 0 });
    const metrics = (await server.admin('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^chatserver_store_journal_entries 2$/m);
    expect(metrics).toMatch(/^chatserver_store_up 0$/m);
    expect(metrics).toMatch(/^chatserver_store_journal_set_aside 0$/m);
    expect(existsSync(path.join(server.dataDir, 'journal.sqlite'))).toBe(true);
  }, 30_000);
});
