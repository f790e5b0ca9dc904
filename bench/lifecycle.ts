/**
 * Scenario 4, room lifecycle: time from `POST /api/v1/room/:name` to the room's port answering,
 * for N rooms created one after another on one server (2 workers), p50 and p99; then the
 * workers' memory with every room open.
 *
 *   npm run bench:lifecycle -- [--rooms 500] [--quick]
 */
import { parseArgs } from 'node:util';
import { percentile, pinLoadGenerator, rssBytes } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { startChatserver } from './lib/targets.js';

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
  writeResults('lifecycle', { ...table, createMs, readyMs });
  const bars = (values: number[]) => [50, 99].map((p) => ({ series: `chatserver p${p}`, value: percentile(values, p) }));
  writeChart(
    'lifecycle',
    { title: `Room lifecycle: ${ROOMS} rooms created one after another`, subtitle: 'ms from POST /api/v1/room/:name to the room port answering; target: ready under 50 ms p99', groups: [{ label: 'create answered', bars: bars(createMs) }, { label: 'room port ready', bars: bars(readyMs) }], format: (v) => `${v.toFixed(1)} ms` },
    values.quick,
  );
} finally {
  await chat.stop();
}
