/**
 * Scenario 2, many rooms: R rooms of U users on every worker, one sender per room at a steady
 * rate. Measures total deliveries per second and latency per room; then floods one room and
 * measures the others again, apart for rooms on the flooded room's worker and on the other
 * workers (the design's promise: a flood in one room does not slow rooms in other workers).
 *
 *   npm run bench:rooms -- [--rooms 200] [--users 20] [--rate 2] [--flood 500] [--seconds 10] [--quick]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { percentile, pinLoadGenerator } from './lib/processes.js';
import type { RawWsClient } from './lib/rawWs.js';
import { writeChart, writeResults } from './lib/report.js';
import { joinChat, sentAt, startChatserver } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '200' },
    users: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2' },
    flood: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
  },
});
const ROOMS = values.quick ? 10 : Number(values.rooms);
const USERS = values.quick ? 5 : Number(values.users);
const RATE = Number(values.rate);
const FLOOD = values.quick ? 50 : Number(values.flood);
const SECONDS = values.quick ? 2 : Number(values.seconds);
const WORKERS = Math.max(2, os.availableParallelism());

interface BenchRoom {
  readonly name: string;
  readonly worker: number;
  readonly sender: RawWsClient;
  readonly latencies: number[];
  delivered: number;
}

function send(client: RawWsClient): void {
  client.send(JSON.stringify({ type: 'message', text: `t:${Date.now()}:${'x'.repeat(60)}` }));
}

/** Runs the senders for SECONDS; `flooded` (if any) sends FLOOD messages/s instead of RATE. */
async function phase(rooms: BenchRoom[], flooded: BenchRoom | null): Promise<number> {
  for (const room of rooms) {
    room.delivered = 0;
    room.latencies.length = 0;
  }
  const started = Date.now();
  const sent = new Map<BenchRoom, number>();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      for (const room of rooms) {
        const due = Math.floor(elapsed * (room === flooded ? FLOOD : RATE));
        for (let n = sent.get(room) ?? 0; n < due; n++) send(room.sender);
        sent.set(room, due);
      }
      if (elapsed >= SECONDS) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return rooms.reduce((sum, room) => sum + room.delivered, 0) / ((Date.now() - started) / 1000);
}

pinLoadGenerator();
const chat = await startChatserver(WORKERS);
try {
  const rooms: BenchRoom[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const name = `many${r}`;
    const answer = (await (await fetch(`http://127.0.0.1:${chat.publicPort}/api/v1/room/${name}`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } })).json()) as { data: { port: number } };
    const clients = await Promise.all(Array.from({ length: USERS + 1 }, (_, u) => joinChat(answer.data.port, `u${u}`)));
    const room: BenchRoom = { name, worker: -1, sender: clients[USERS]!, latencies: [], delivered: 0 };
    for (const client of clients.slice(0, USERS)) {
      client.onText = (text) => {
        const at = sentAt(text);
        if (at === null) return;
        room.delivered += 1;
        if ((room.delivered & 3) === 0) room.latencies.push(Date.now() - at);
      };
    }
    rooms.push(room);
  }
  const placed = (await (await fetch(`http://127.0.0.1:${chat.adminPort}/api/v1/rooms`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).json()) as { data: Array<{ name: string; worker: number }> };
  const workerOf = new Map(placed.data.map((room) => [room.name, room.worker]));
  for (const room of rooms) Object.assign(room, { worker: workerOf.get(room.name) ?? -1 });

  const baselineRate = await phase(rooms, null);
  const baseline = { same: [] as number[], other: [] as number[] };
  const flooded = rooms[0]!;
  const others = rooms.slice(1);
  for (const room of others) baseline[room.worker === flooded.worker ? 'same' : 'other'].push(...room.latencies);
  const floodRate = await phase(rooms, flooded);
  const during = { same: [] as number[], other: [] as number[] };
  for (const room of others) during[room.worker === flooded.worker ? 'same' : 'other'].push(...room.latencies);

  const row = (label: string, values: number[]) => ({ rooms: label, samples: values.length, 'p50 ms': percentile(values, 50), 'p99 ms': percentile(values, 99) });
  console.log(`Many rooms: ${ROOMS} rooms x ${USERS} users on ${WORKERS} workers, ${RATE} msg/s per room; then room ${flooded.name} flooded at ${FLOOD} msg/s`);
  console.log(`deliveries/s: ${Math.round(baselineRate)} steady, ${Math.round(floodRate)} with the flood`);
  console.table([
    row('steady: same worker as the flooded room', baseline.same),
    row('steady: other workers', baseline.other),
    row('flood: same worker as the flooded room', during.same),
    row('flood: other workers', during.other),
  ]);
  const p99 = { steadySame: percentile(baseline.same, 99), steadyOther: percentile(baseline.other, 99), floodSame: percentile(during.same, 99), floodOther: percentile(during.other, 99) };
  writeResults('rooms', { rooms: ROOMS, users: USERS, workers: WORKERS, rate: RATE, flood: FLOOD, seconds: SECONDS, deliveriesPerS: { steady: baselineRate, flood: floodRate }, p99 });
  writeChart(
    'rooms',
    {
      title: `Many rooms: ${ROOMS} rooms x ${USERS} users on ${WORKERS} workers`,
      subtitle: `latency p99 in the other rooms, ms, before and while one room is flooded at ${FLOOD} msg/s; flat is fair`,
      groups: [
        { label: 'rooms on the flooded room\'s worker', bars: [{ series: 'chatserver, steady', value: p99.steadySame }, { series: 'chatserver, flooded', value: p99.floodSame }] },
        { label: 'rooms on the other workers', bars: [{ series: 'chatserver, steady', value: p99.steadyOther }, { series: 'chatserver, flooded', value: p99.floodOther }] },
      ],
      format: (v) => `${v} ms`,
    },
    values.quick,
  );
  for (const room of rooms) room.sender.close();
} finally {
  await chat.stop();
}
