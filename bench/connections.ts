/**
 * Scenario 3, connections: memory per idle connection (the server process's RSS growth divided
 * by the connections) and the connect rate, for N clients held open, against the peers.
 * chatserver's clients join anonymously, spread over rooms of 200 (presence stays small).
 *
 *   npm run bench:connections -- [--clients 10000] [--quick]
 */
import { parseArgs } from 'node:util';
import { pinLoadGenerator, rssBytes } from './lib/processes.js';
import type { RawWsClient } from './lib/rawWs.js';
import { writeChart, writeResults } from './lib/report.js';
import { joinChat, startChatserver, startSocketIoPeer, startWsPeer } from './lib/targets.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '10000' }, quick: { type: 'boolean', default: false } } });
const CLIENTS = values.quick ? 400 : Number(values.clients);
const ROOM_SIZE = 200;
const BATCH = 200;

interface Result {
  readonly server: string;
  readonly clients: number;
  readonly connectPerS: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly bytesPerConnection: number;
}

async function hold(name: string, pid: number, connect: (i: number) => Promise<RawWsClient>): Promise<Result> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = rssBytes(pid);
  const clients: RawWsClient[] = [];
  const started = Date.now();
  for (let i = 0; i < CLIENTS; i += BATCH) clients.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, CLIENTS - i) }, (_, j) => connect(i + j)))));
  const connectPerS = Math.round(CLIENTS / ((Date.now() - started) / 1000));
  // Let allocation settle (and a GC or two run) before reading the resident size.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const after = rssBytes(pid);
  for (const client of clients) client.close();
  const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  return { server: name, clients: CLIENTS, connectPerS, rssBeforeMiB: mib(before), rssAfterMiB: mib(after), bytesPerConnection: Math.round((after - before) / CLIENTS) };
}

pinLoadGenerator();
const results: Result[] = [];
for (const start of [startWsPeer, startSocketIoPeer]) {
  const target = await start();
  try {
    results.push(await hold(target.name, target.workerPid, (i) => target.connect(`c${i}`)));
  } finally {
    await target.stop();
  }
}
const chat = await startChatserver();
try {
  const rooms = Math.ceil(CLIENTS / ROOM_SIZE);
  const ports: number[] = [];
  for (let r = 0; r < rooms; r++) {
    const answer = (await (await fetch(`http://127.0.0.1:${chat.publicPort}/api/v1/room/idle${r}`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } })).json()) as { data: { port: number } };
    ports.push(answer.data.port);
  }
  const admin = (await (await fetch(`http://127.0.0.1:${chat.adminPort}/api/v1/stats`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).json()) as { data: { workers: Array<{ pid: number }> } };
  results.push(await hold('chatserver (joined)', admin.data.workers[0]!.pid, (i) => joinChat(ports[Math.floor(i / ROOM_SIZE)]!, `c${i}`)));
} finally {
  await chat.stop();
}

console.log(`Idle connections: ${CLIENTS} clients held open`);
console.table(results.map((r) => ({ server: r.server, 'connects/s': r.connectPerS, 'RSS before MiB': r.rssBeforeMiB, 'RSS after MiB': r.rssAfterMiB, 'bytes/connection': r.bytesPerConnection })));
const ws = results.find((r) => r.server === 'ws broadcast')!;
const ours = results.find((r) => r.server.startsWith('chatserver'))!;
console.log(`chatserver memory per idle connection = ${(ours.bytesPerConnection / ws.bytesPerConnection).toFixed(2)}x ws`);
writeResults('connections', { clients: CLIENTS, results });
writeChart(
  'connections',
  {
    title: `Idle connections: memory per connection (${CLIENTS.toLocaleString('en-US')} clients)`,
    subtitle: 'bytes of server RSS growth per open connection; lower is better (chatserver\'s are joined chat users)',
    groups: [{ label: 'bytes per connection', bars: results.map((r) => ({ series: r.server, value: r.bytesPerConnection })) }, { label: 'connects per second', bars: results.map((r) => ({ series: r.server, value: r.connectPerS })) }],
    format: (v) => v.toLocaleString('en-US'),
  },
  values.quick,
);
