import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { ChatTestClient, type Frame } from './ChatTestClient.js';
import type { ServerProcess } from './ServerProcess.js';

const SEED_BATCH = 10_000;

/**
 * Writes a room and `count` messages (one a second, ending now) into an embedded store's
 * folder before the server starts: the cheapest way to a room with a long history, and the
 * same files the server would have written itself.
 */
export async function seedRoom(dataDir: string, room: string, port: number, count: number): Promise<void> {
  const store = new SqliteStore(dataDir);
  await store.open();
  await store.saveRoom({ name: room, port, settings: {}, createdAt: Date.now() - count * 1000 });
  const ids = new MessageIdGenerator();
  const start = Date.now() - count * 1000;
  for (let first = 0; first < count; first += SEED_BATCH) {
    const batch: ChatMessageRecord[] = [];
    for (let i = first; i < Math.min(count, first + SEED_BATCH); i++) {
      const { id, ts } = ids.next(start + i * 1000);
      batch.push({ room, id, user: `seed-${i % 97}`, name: `Seed ${i % 97}`, text: `seeded message ${i} `.padEnd(80, '.'), ts });
    }
    await store.appendMessages(batch);
  }
  await store.close();
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * `GET /health` every `intervalMs` until stopped: each call's latency in ms, and the calls that
 * failed (a refused or reset connection, or a status other than 200), counted with the time
 * they took.
 */
export function probeHealth(server: ServerProcess, intervalMs = 10): { stop(): Promise<{ latencies: number[]; failures: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await server.api('GET', '/health').then(
        (answer) => answer.status === 200,
        () => false,
      );
      latencies.push(performance.now() - started);
      if (!ok) failures += 1;
      // A monitor's sampling pace, not a load of its own on the primary.
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { latencies, failures };
    },
  };
}

export interface HistoryReader {
  readonly client: ChatTestClient;
  /** Requests sent, pages answered, and `error` frames by code. */
  readonly sent: number;
  readonly pages: number;
  readonly errors: Map<string, number>;
  /** Stops sending; resolves once every request sent has its answer (a page or an error). */
  finish(): Promise<void>;
  stop(): void;
}

/**
 * A viewer that asks for a history page every `intervalMs` (the documented rate), paging
 * backwards from the newest page and starting over at the end, whether or not the previous
 * answer has come: what a hostile viewer does.
 */
export async function historyReader(port: number, name: string, intervalMs: number): Promise<HistoryReader> {
  const { client } = await ChatTestClient.join(port, { name });
  let before: string | undefined;
  let pages = 0;
  let sent = 0;
  let answered = 0;
  let finished: (() => void) | undefined;
  const errors = new Map<string, number>();
  client.ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'history') {
      pages += 1;
      before = frame.more && frame.messages.length > 0 ? frame.messages[0].id : undefined;
    } else if (frame.type === 'error') {
      errors.set(frame.code, (errors.get(frame.code) ?? 0) + 1);
    } else {
      return;
    }
    answered += 1;
    if (answered >= sent) finished?.();
  });
  const timer = setInterval(() => {
    sent += 1;
    client.send({ type: 'history', ...(before === undefined ? {} : { before }) });
  }, intervalMs);
  return {
    client,
    get sent() {
      return sent;
    },
    get pages() {
      return pages;
    },
    errors,
    finish() {
      clearInterval(timer);
      return answered >= sent ? Promise.resolve() : new Promise<void>((resolve) => (finished = resolve));
    },
    stop() {
      clearInterval(timer);
      client.close();
    },
  };
}
