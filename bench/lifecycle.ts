/**
 * Scenario 4, room lifecycle: time from `POST /api/v1/room/:name` to the room's port answering,
 * for N rooms created one after another on one server (2 workers), p50 and p99; then the
 * workers' memory with every room open.
 *
 *   npm run bench:lifecycle -- [--rooms 500] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, pinLoadGenerator, rssBytes } from './lib/processes.js';
import { ROOT, startChatserver } from './lib/targets.js';

const { values } = parseArgs({ options: { rooms: { type: 'string', default: '500' }, quick: { type: 'boolean', default: false } } });
const ROOMS = values.quick ? 30 : Number(values.rooms);

pinLoadGenerator();
const chat = await startChatserver(2);
const createMs: number[] = [];
const readyMs: number[] = [];
try {
  for (let i = 0; i < ROOMS; i++) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${chat.publicPort}/api/v1/room/life${i}`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } });
    const { data } = (await response.json()) as { data: { port: number } };
    createMs.push(performance.now() - started);
    if ((await (await fetch(`http://127.0.0.1:${data.port}/`)).text()) !== `life${i}`) throw new Error(`room life${i} did not answer on ${data.port}`);
    readyMs.push(performance.now() - started);
  }
  const stats = (await (await fetch(`http://127.0.0.1:${chat.adminPort}/api/v1/stats`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).json()) as { data: { workers: Array<{ pid: number }>; rooms: { open: number } } };
  const workerRssMiB = stats.data.workers.map((worker) => Math.round(rssBytes(worker.pid) / 104857.6) / 10);
  const table = {
    rooms: ROOMS,
    open: stats.data.rooms.open,
    'create p50 ms': percentile(createMs, 50).toFixed(1),
    'create p99 ms': percentile(createMs, 99).toFixed(1),
    'ready p50 ms': percentile(readyMs, 50).toFixed(1),
    'ready p99 ms': percentile(readyMs, 99).toFixed(1),
    'worker RSS MiB': workerRssMiB.join(' / '),
  };
  console.log('Room lifecycle: create -> the room port answers (one after another, 2 workers)');
  console.table([table]);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/lifecycle.json'), `${JSON.stringify({ at: new Date().toISOString(), ...table, createMs, readyMs }, null, 2)}\n`);
} finally {
  await chat.stop();
}
