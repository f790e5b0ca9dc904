/**
 * The embedded store at size (issue 14; docs/benchmarks.md section 7): 1,000,000 messages in
 * 100 rooms, half of them in one busy room, written through SqliteStore in a child process
 * (batches of 1,000, one durable commit each); then, in a fresh child process, the time to open
 * the file, the busy room's newest history page and a page a quarter of the way back, and that
 * process's RSS; then the real server on that DATA_DIR: spawn -> accepting (`/health` 200 and
 * the busy room's port answering), its primary's RSS, a history page through the chat protocol,
 * and SIGTERM -> exit. The peer in the same run is the same server on the same 100 rooms
 * without a message. The previous store (NeDB, removed in this issue) is quoted from the issue,
 * not measured.
 *
 *   npm run bench:store -- [--messages 1000000] [--calls 200] [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runJsonChild } from './lib/jsonChild.js';
import { percentile, pinLoadGenerator, rssBytes } from './lib/processes.js';
import { writeResults } from './lib/report.js';
import { answers200, isAlive, serverPorts, ServerProcess, waitUntil } from './lib/serverProcess.js';
import { joinChat } from './lib/targets.js';
import { ROOMS, type ReadFigures, type SeedFigures } from './store/layout.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    calls: { type: 'string', default: '200' },
    quick: { type: 'boolean', default: false },
  },
});
const MESSAGES = values.quick ? 50_000 : Number(values.messages);
const CALLS = Number(values.calls);
const PROTOCOL_PAGES = 20;
const MiB = 2 ** 20;

interface ServerFigures {
  readonly readyLogMs: number;
  readonly healthMs: number;
  readonly busyRoomMs: number;
  readonly allRoomsMs: number;
  readonly primaryRssBytes: number;
  readonly workerRssBytes: number[];
  /** A page a quarter of the way back, asked with a `history` frame: p50 of PROTOCOL_PAGES. */
  readonly protocolPageP50Ms: number;
  readonly sigtermToExitMs: number;
  readonly workersLeft: number;
}

/** Milliseconds from the server's spawn until `test` holds. */
async function msUntil(server: ServerProcess, test: () => Promise<boolean>, what: string): Promise<number> {
  await waitUntil(test, 60_000, what);
  return performance.now() - server.spawnedAt;
}

/** `history` requests with `before`, one at a time, each timed to its answer. */
async function protocolPages(roomPort: number, before: string): Promise<number[]> {
  const client = await joinChat(roomPort, 'store-bench');
  const times: number[] = [];
  for (let i = 0; i < PROTOCOL_PAGES; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      client.onText = (text) => text.startsWith('{"type":"history"') && resolve();
      client.send(JSON.stringify({ type: 'history', before }));
    });
    times.push(performance.now() - started);
  }
  client.close();
  return times;
}

/** `quarterBeforeId` null: a store without messages (the peer), no history pages asked. */
async function measureServer(dataDir: string, ports: Awaited<ReturnType<typeof serverPorts>>, quarterBeforeId: string | null): Promise<ServerFigures> {
  const server = ServerProcess.spawn({ dataDir, ports, workers: 2 });
  const roomPorts = Array.from({ length: ROOMS }, (_, i) => ports.firstRoomPort + i);
  const [healthMs, busyRoomMs] = await Promise.all([
    msUntil(server, () => answers200(ports.port, '/health'), '/health answers 200'),
    msUntil(server, () => answers200(ports.firstRoomPort), 'the busy room answers'),
  ]);
  const allRoomsMs = await msUntil(server, async () => (await Promise.all(roomPorts.map((port) => answers200(port)))).every(Boolean), 'every room answers');
  const readyLogMs = await server.ready();
  const workerPids = await server.workerPids();
  const primaryRssBytes = rssBytes(server.pid);
  const workerRssBytes = workerPids.map(rssBytes);
  const pages = quarterBeforeId === null ? [] : await protocolPages(ports.firstRoomPort, quarterBeforeId);
  const sigtermToExitMs = await server.stop();
  return {
    readyLogMs,
    healthMs,
    busyRoomMs,
    allRoomsMs,
    primaryRssBytes,
    workerRssBytes,
    protocolPageP50Ms: percentile(pages, 50),
    sigtermToExitMs,
    workersLeft: workerPids.filter(isAlive).length,
  };
}

pinLoadGenerator();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
// The peer: the same 100 rooms without a single message, started the same way in the same run.
const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'bench-store-empty-'));
try {
  const ports = await serverPorts(1000);
  const seedScript = path.join(import.meta.dirname, 'store/seed.ts');
  const seed = await runJsonChild<SeedFigures>(seedScript, [dataDir, String(MESSAGES), String(ports.firstRoomPort)]);
  const read = await runJsonChild<ReadFigures>(path.join(import.meta.dirname, 'store/read.ts'), [dataDir, seed.quarterBeforeId, String(CALLS)]);
  const server = await measureServer(dataDir, ports, seed.quarterBeforeId);
  await runJsonChild<SeedFigures>(seedScript, [emptyDir, '0', String(ports.firstRoomPort)]);
  const empty = await measureServer(emptyDir, ports, null);
  const accepting = (figures: ServerFigures) => Math.max(figures.healthMs, figures.busyRoomMs);
  const ratio = (value: number, peer: number) => `${(value / peer).toFixed(2)}x`;

  const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
  const row = (figure: string, target: string, measured: string, met: boolean | null, peer = '', nedb = '') => ({
    figure,
    target,
    measured,
    met: met === null ? '' : met ? 'yes' : 'no',
    'no messages (this run)': peer,
    'NeDB (issue, 200k / 1M)': nedb,
  });
  const quarterBack = `${seed.quarterDepth.toLocaleString('en-US')} back`;
  const table = [
    row('seed: appendMessages, 1,000 per transaction', '>= 20,000 msg/s', `${Math.round(seed.perSecond).toLocaleString('en-US')} msg/s (${Math.round(seed.storePerSecond).toLocaleString('en-US')} in the store calls)`, seed.perSecond >= 20_000),
    row('file size', '', mib(seed.fileBytes), null),
    row('open (fresh process)', '', ms(read.openMs), null),
    row(`newest page, busy room (first call; p50 / p99 of ${CALLS})`, '<= 2 ms', `${ms(read.newestFirstMs)}; ${ms(read.newestP50Ms)} / ${ms(read.newestP99Ms)}`, read.newestP99Ms <= 2, '', '37 ms / 210 ms'),
    row(`page ${quarterBack} (first call; p50 / p99)`, '<= 5 ms', `${ms(read.quarterFirstMs)}; ${ms(read.quarterP50Ms)} / ${ms(read.quarterP99Ms)}`, read.quarterP99Ms <= 5),
    row('RSS after the reads (before opening)', '<= 200 MB', `${mib(read.rssAfterReadsBytes)} (${mib(read.rssBeforeOpenBytes)})`, read.rssAfterReadsBytes <= 200e6, '', '575 MB / 1,530 MB'),
    row('server: spawn -> /health 200 and the busy room answering', '<= 2 s', ms(accepting(server)), accepting(server) <= 2_000, `${ms(accepting(empty))} (${ratio(accepting(server), accepting(empty))})`, '9.9 s / 72.6 s (reopen)'),
    row(`server: all ${ROOMS} rooms answering; "ready" logged`, '', `${ms(server.allRoomsMs)}; ${ms(server.readyLogMs)}`, null, `${ms(empty.allRoomsMs)}; ${ms(empty.readyLogMs)}`),
    row('server: primary RSS after start (workers)', '', `${mib(server.primaryRssBytes)} (${server.workerRssBytes.map(mib).join(', ')})`, null, `${mib(empty.primaryRssBytes)} (${empty.workerRssBytes.map(mib).join(', ')}) (${ratio(server.primaryRssBytes, empty.primaryRssBytes)})`),
    row(`server: page ${quarterBack} over the chat protocol, p50 of ${PROTOCOL_PAGES}`, '', ms(server.protocolPageP50Ms), null),
    row('server: SIGTERM -> exit', '<= 5 s', `${ms(server.sigtermToExitMs)}${server.workersLeft > 0 ? `, ${server.workersLeft} workers left` : ''}`, server.sigtermToExitMs <= 5_000 && server.workersLeft === 0, ms(empty.sigtermToExitMs), '2.9 s / 14.9 s (close)'),
  ];
  console.log(`The embedded store at size: ${MESSAGES.toLocaleString('en-US')} messages in ${ROOMS} rooms, ${seed.busyMessages.toLocaleString('en-US')} in the busy one`);
  console.table(table);
  writeResults('store', { messages: MESSAGES, rooms: ROOMS, seed, read, server, emptyServer: empty, table });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
}
