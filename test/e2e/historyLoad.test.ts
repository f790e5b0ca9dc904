import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { historyReader, percentile, probeHealth, seedRoom, type HistoryReader } from '../helpers/historyLoad.js';
import { serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';

/** Messages in the big room; HISTORY_LOAD_MESSAGES=200000 re-measures the worst case. */
const MESSAGES = Number(process.env.HISTORY_LOAD_MESSAGES ?? 30_000);
const VIEWERS = Number(process.env.HISTORY_LOAD_VIEWERS ?? 20);
/** The documented default rate: 3 history or chat frames per second per connection. */
const HISTORY_INTERVAL_MS = 340;
/** Messages the writer in another room sends (one every 250 ms) while the viewers page history. */
const PROBE_MESSAGES = 20;
/** /health p99 while history is paged; the unfixed server answers in hundreds of ms or more. */
const HEALTH_P99_BOUND_MS = 150;

describe('history requests under load (real processes)', () => {
  const start = serversPerTest(afterEach);
  /** Undone newest first, before the server stops. */
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A server whose room `big` (on the range's first port) has `messages` messages, written before it starts. */
  const seededServer = async (messages: number): Promise<{ server: ServerProcess; bigPort: number }> => {
    const server = await start({
      workers: 2,
      roomPortCount: 4,
      seed: (dataDir, roomPorts) => seedRoom(dataDir, 'big', roomPorts.first, messages),
      // Loading a long history may take longer than the default start timeout.
      readyTimeoutMs: Math.max(20_000, messages / 2),
    });
    return { server, bigPort: server.roomPorts.first };
  };

  it(`keeps the primary responsive while ${VIEWERS} viewers page the history of a room of ${MESSAGES} messages`, { timeout: Math.max(180_000, MESSAGES * 5) }, async ({ annotate }) => {
    const { server, bigPort } = await seededServer(MESSAGES);
    const otherPort = (await server.createRoom('other')).body.data.port as number;
    const { client: writer } = await ChatTestClient.join(otherPort, { name: 'Writer' });
    cleanup.push(() => writer.close());

    const readers: HistoryReader[] = [];
    for (let i = 0; i < VIEWERS; i++) readers.push(await historyReader(bigPort, `Viewer ${i}`, HISTORY_INTERVAL_MS));
    cleanup.push(() => readers.forEach((reader) => reader.stop()));
    const health = probeHealth(server);

    // The writer's answers (acknowledgement or error) pace the load phase.
    const sentAt = new Map<number, number>();
    const answerMs = new Map<number, number>();
    writer.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (typeof frame.ref === 'number' && !answerMs.has(frame.ref)) answerMs.set(frame.ref, performance.now() - sentAt.get(frame.ref)!);
    });
    for (let ref = 0; ref < PROBE_MESSAGES; ref++) {
      sentAt.set(ref, performance.now());
      writer.send({ type: 'message', text: `while history loads ${ref}`, ref });
      if (ref + 1 < PROBE_MESSAGES) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const answers: Frame[] = [];
    for (let ref = 0; ref < PROBE_MESSAGES; ref++) {
      answers.push(await writer.next((f) => f.ref === ref && (f.type === 'message' || f.type === 'error'), 60_000));
    }
    const { latencies, failures } = await health.stop();
    // Every history request gets its answer, a page or an error (the unfixed server needs minutes).
    const finished = Promise.all(readers.map((reader) => reader.finish()));
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    const unanswered = readers.reduce((sum, reader) => sum + reader.sent - reader.pages - [...reader.errors.values()].reduce((a, b) => a + b, 0), 0);
    readers.forEach((reader) => reader.stop());

    const p99 = percentile(latencies, 99);
    const summary = {
      messages: MESSAGES,
      healthCalls: latencies.length,
      healthFailures: failures,
      healthP50: percentile(latencies, 50).toFixed(1),
      healthP99: p99.toFixed(1),
      healthMax: Math.max(...latencies).toFixed(1),
      acked: answers.filter((f) => f.type === 'message').length,
      refused: answers.filter((f) => f.type === 'error').map((f) => f.code),
      answerP99: percentile([...answerMs.values()], 99).toFixed(1),
      historySent: readers.reduce((sum, reader) => sum + reader.sent, 0),
      pages: readers.reduce((sum, reader) => sum + reader.pages, 0),
      unanswered,
      errors: readers.reduce<Record<string, number>>((all, reader) => {
        for (const [code, count] of reader.errors) all[code] = (all[code] ?? 0) + count;
        return all;
      }, {}),
    };
    await annotate(`history load ${JSON.stringify(summary)}`);
    expect(answers.every((f) => f.type === 'message'), JSON.stringify(summary)).toBe(true);
    expect(failures, JSON.stringify(summary)).toBe(0);
    expect(p99, JSON.stringify(summary)).toBeLessThan(HEALTH_P99_BOUND_MS);
    expect(unanswered, JSON.stringify(summary)).toBe(0);
    expect(readers.every((reader) => reader.pages > 0), JSON.stringify(summary)).toBe(true);
  });
});

describe('history served by the worker, and bounded (real processes)', () => {
  const start = serversPerTest(afterEach);
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('answers the newest pages without the primary, one request at a time per connection, 4 primary reads at a time per room', async () => {
    const server = await start({ workers: 1, roomPortCount: 2, seed: (dataDir, roomPorts) => seedRoom(dataDir, 'paged', roomPorts.first, 300) });
    const port = server.roomPorts.first;
    const clients: ChatTestClient[] = [];
    for (let i = 0; i < 6; i++) clients.push((await ChatTestClient.join(port, { name: `Pager ${i}` })).client);
    cleanup.push(() => clients.forEach((client) => client.close()));
    const first = clients[0]!;
    const newest = await (async () => {
      first.send({ type: 'history', ref: 'newest' });
      return first.next((f) => f.ref === 'newest');
    })();
    expect(newest.messages).toHaveLength(50);
    const deep = newest.messages[0].id as string;

    // The primary is stopped: only the worker can answer now.
    process.kill(server.pid, 'SIGSTOP');
    let continued = false;
    cleanup.push(() => continued || process.kill(server.pid, 'SIGCONT'));
    first.send({ type: 'history', ref: 'again' });
    expect(await first.next((f) => f.ref === 'again')).toMatchObject({ type: 'history', more: true });
    first.send({ type: 'history', before: deep, ref: 'second' });
    const second = await first.next((f) => f.ref === 'second');
    expect(second).toMatchObject({ type: 'history', more: true });
    expect(second.messages.at(-1).id < deep).toBe(true);

    // Older pages need the primary: four of the room's readers wait for it, the rest are busy.
    const older = second.messages[0].id as string;
    for (const [i, client] of clients.entries()) client.send({ type: 'history', before: older, ref: `deep-${i}` });
    // A ping's pong comes after the worker handled every frame sent before it.
    await Promise.all(clients.map((client) => client.sync()));
    const answers = clients.map((client, i) => client.frames.find((f) => f.ref === `deep-${i}`));
    expect(answers.filter((f) => f?.code === 'HISTORY_BUSY')).toHaveLength(2);
    // A connection with a read pending is busy too, even for a page the worker holds.
    const waiting = clients[answers.findIndex((f) => f === undefined)]!;
    waiting.send({ type: 'history', ref: 'while-waiting' });
    expect(await waiting.next((f) => f.ref === 'while-waiting')).toMatchObject({ type: 'error', code: 'HISTORY_BUSY' });

    process.kill(server.pid, 'SIGCONT');
    continued = true;
    for (const [i, client] of clients.entries()) {
      if (answers[i] !== undefined) continue;
      const page = await client.next((f) => f.ref === `deep-${i}`);
      expect(page).toMatchObject({ type: 'history', more: true });
      expect(page.messages).toHaveLength(50);
    }
  });
});
