import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { serversPerTest } from '../helpers/ServerProcess.js';

/** The worker's deadline for a batch to reach the primary (src/worker/MessageBatcher.ts). */
const DEADLINE_MS = 5_000;

describe('the answer to a chat message matches what was kept (real processes)', () => {
  const start = serversPerTest(afterEach);
  const clients: ChatTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('stores no message whose sender got NOT_PERSISTED, and every acknowledged one, when the primary stalls past the deadline', { timeout: 60_000 }, async () => {
    const server = await start({ workers: 1, env: { CHAT_RATE: '100', CHAT_BURST: '100' } });
    const port = (await server.createRoom('stall')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'Sender' });
    clients.push(client);
    const answers = new Map<number, Frame>();
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (typeof frame.ref === 'number' && (frame.type === 'message' || frame.type === 'error')) answers.set(frame.ref, frame);
    });
    let sent = 0;
    const send = () => client.send({ type: 'message', text: `stall test ${sent}`, ref: sent++ });

    // A real stall of the primary's event loop, as a long GC pause or a blocking load would
    // cause: SIGSTOP, while the worker keeps taking messages. The stall must outlast the
    // deadline of the first messages sent into it, so it is measured in time.
    process.kill(server.pid, 'SIGSTOP');
    const stalledAt = performance.now();
    try {
      while (performance.now() - stalledAt < DEADLINE_MS + 1_500) {
        send();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    for (let i = 0; i < 5; i++) send();
    // Every message gets an answer, one way or the other.
    await client.next((f) => f.type === 'message' && f.ref === sent - 1, 20_000);
    await expect.poll(() => answers.size, { timeout: 10_000 }).toBe(sent);

    const acked = [...answers.values()].filter((f) => f.type === 'message');
    const refused = [...answers.entries()].filter(([, f]) => f.type === 'error');
    expect(refused.every(([, f]) => f.code === 'NOT_PERSISTED'), JSON.stringify(refused.slice(0, 3))).toBe(true);
    expect(refused.length, 'messages sent early in the stall arrive after their deadline').toBeGreaterThan(0);
    expect(acked.length, 'messages sent late in the stall, or after it, arrive in time').toBeGreaterThan(0);

    // What the store holds after a clean stop (every held message written) is the truth.
    expect((await server.stop('SIGTERM')).code).toBe(0);
    const store = new SqliteStore(server.dataDir);
    await store.open();
    const stored = await store.listMessages('stall', { limit: 10_000 });
    await store.close();
    const storedIds = new Set(stored.map((m) => m.id));
    const storedTexts = new Set(stored.map((m) => m.text));
    expect(acked.filter((f) => !storedIds.has(f.id)).map((f) => f.text), 'acknowledged but not stored').toEqual([]);
    expect(refused.map(([ref]) => `stall test ${ref}`).filter((text) => storedTexts.has(text)), 'NOT_PERSISTED but stored').toEqual([]);
    expect(stored).toHaveLength(acked.length);
  });
});
