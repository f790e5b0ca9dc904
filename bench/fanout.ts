/**
 * Scenario 1, chat fan-out: one room, R receivers, one sender. Two shapes: a steady rate, and
 * bursts (B messages at once, once a second). For each server in the same run: deliveries per
 * second, latency p50/p99 (sender timestamp to receipt), and the room worker's CPU time per
 * delivered message, from /proc. Servers run on core 0, the load generator (raw-socket receivers,
 * bench/lib/rawWs.ts) on core 1.
 *
 *   npm run bench:fanout -- [--receivers 500,2000] [--rate 20] [--burst 50] [--seconds 10] [--quick]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectReceivers, fanoutRound, type FanoutLoad, type FanoutRun } from './lib/fanoutRound.js';
import { HAS_TASKSET, pinLoadGenerator } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { ROOT, startChatserver, startSocketIoPeer, startWsPeer } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    receivers: { type: 'string', default: '500,2000' },
    rate: { type: 'string', default: '20' },
    burst: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    /** Profile chatserver's processes (`node --cpu-prof`) into bench/results/profiles/; peers are skipped. */
    profile: { type: 'boolean', default: false },
  },
});
const PROFILE_DIR = path.join(ROOT, 'bench/results/profiles');
const RECEIVERS = values.quick ? [50] : values.receivers.split(',').map(Number);
const RATE = values.quick ? 10 : Number(values.rate);
const BURST = values.quick ? 10 : Number(values.burst);
const SECONDS = values.quick ? 2 : Number(values.seconds);
const LOAD: FanoutLoad = { rate: RATE, burst: BURST, seconds: SECONDS };

pinLoadGenerator();
const runs: FanoutRun[] = [];
for (const count of RECEIVERS) {
  const profiled = () => startChatserver(1, ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]);
  for (const start of values.profile ? [profiled] : [startWsPeer, startSocketIoPeer, () => startChatserver()]) {
    const target = await start();
    try {
      const receivers = await connectReceivers(target, count);
      for (const shape of ['steady', 'burst'] as const) runs.push(await fanoutRound(target, receivers, shape, LOAD));
      for (const client of receivers) client.close();
    } finally {
      await target.stop();
    }
  }
}

console.log(`Chat fan-out (${HAS_TASKSET ? 'servers on core 0, load generator on core 1' : 'unpinned'}; steady ${RATE} msg/s, bursts of ${BURST} per second; ${SECONDS} s)`);
console.table(
  runs.map((r) => ({
    server: r.target,
    shape: r.shape,
    receivers: r.receivers,
    delivered: `${r.delivered}/${r.expected}`,
    'deliveries/s': r.deliveriesPerS,
    'CPU µs/delivery': r.workerCpuUsPerDelivery.toFixed(2),
    'kernel %': Math.round(r.kernelShare * 100),
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
    'primary CPU ms': r.target === 'chatserver' ? r.primaryCpuMs.toFixed(0) : '',
  })),
);
if (values.profile) {
  console.log(`profiles: ${PROFILE_DIR} (summarise with: tsx bench/profile.ts <file>)`);
  process.exit(0);
}
const ratios = RECEIVERS.flatMap((count) =>
  (['steady', 'burst'] as const).map((shape) => {
    const find = (name: string) => runs.find((r) => r.target === name && r.receivers === count && r.shape === shape)!;
    const ours = find('chatserver').workerCpuUsPerDelivery;
    return { receivers: count, shape, vsWs: ours / find('ws broadcast').workerCpuUsPerDelivery, vsSocketIo: ours / find('Socket.IO rooms').workerCpuUsPerDelivery };
  }),
);
for (const r of ratios) console.log(`${r.receivers} receivers, ${r.shape}: chatserver CPU per delivery = ${r.vsWs.toFixed(2)}x ws, ${r.vsSocketIo.toFixed(2)}x Socket.IO`);
writeResults('fanout', { rate: RATE, burst: BURST, seconds: SECONDS, runs, ratios });
const SERVERS = ['ws broadcast', 'Socket.IO rooms', 'chatserver'] as const;
const groups = (value: (run: FanoutRun) => number) =>
  RECEIVERS.flatMap((count) =>
    (['steady', 'burst'] as const).map((shape) => ({
      label: `${count} receivers, ${shape === 'steady' ? `steady ${RATE} msg/s` : `bursts of ${BURST}`}`,
      bars: SERVERS.map((series) => ({ series, value: value(runs.find((r) => r.target === series && r.receivers === count && r.shape === shape)!) })),
    })),
  );
writeChart('fanout-cpu', { title: 'Chat fan-out: server CPU per delivered message', subtitle: 'µs of CPU (utime + stime of the room worker) per message delivered; lower is better', groups: groups((r) => r.workerCpuUsPerDelivery) }, values.quick);
writeChart('fanout-p99', { title: 'Chat fan-out: latency p99', subtitle: 'ms from the sender\'s timestamp to receipt, 99th percentile; lower is better', groups: groups((r) => r.p99Ms), format: (v) => `${v} ms` }, values.quick);
