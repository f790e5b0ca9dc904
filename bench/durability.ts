/**
 * Durable chat (issue 14; docs/benchmarks.md section 7). Two parts:
 *
 * 1. kill -9: a sender posts 400 messages/s into one room; the primary is SIGKILLed after a
 *    random 2-5 s and started again on the same DATA_DIR, `--kills` times; after each restart
 *    every acknowledged message must be in the room's history (bench/lib/killTest.ts).
 * 2. Ack latency (send -> acknowledgement) against the rate, for group commit
 *    (COMMIT_MAX_MESSAGES=2000, the default) and one transaction per message
 *    (COMMIT_MAX_MESSAGES=1) in the same run: the rate at which p99 passes 50 ms
 *    (bench/lib/ackSweep.ts).
 *
 * The server runs with one worker on core 0, the load generator on core 1.
 *
 * The step at `--rate` (the target's 400/s) runs `--rate-seconds`, longer than the others: on
 * this shared machine one stall of a few hundred ms decides the p99 of a short step at a low rate.
 *
 *   npm run bench:durability -- [--kills 3] [--rate 400] [--rates 400,1000,2000,4000,8000,16000,32000] [--seconds 8] [--rate-seconds 30] [--quick]
 */
import { parseArgs } from 'node:util';
import { sweepAckLatency, type SweepStep } from './lib/ackSweep.js';
import { runKillTest } from './lib/killTest.js';
import { percentile, pinLoadGenerator } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '3' },
    rate: { type: 'string', default: '400' },
    rates: { type: 'string', default: '400,1000,2000,4000,8000,16000,32000' },
    seconds: { type: 'string', default: '8' },
    'rate-seconds': { type: 'string', default: '30' },
    quick: { type: 'boolean', default: false },
  },
});
const KILLS = values.quick ? 1 : Number(values.kills);
const RATE = Number(values.rate);
const RATES = values.quick ? [400, 2000] : values.rates.split(',').map(Number);
const STEP_MS = (values.quick ? 2 : Number(values.seconds)) * 1000;
const RATE_STEP_MS = (values.quick ? 2 : Number(values['rate-seconds'])) * 1000;
const stepMs = (rate: number) => (rate === RATE ? RATE_STEP_MS : STEP_MS);
const P99_LIMIT_MS = 50;
/** A step this slow means the store did not keep up at all: higher rates are not tried. */
const OVERLOAD_MS = 1_000;
const GROUP = 2000;
const ALONE = 1;

const round1 = (value: number) => Math.round(value * 10) / 10;

pinLoadGenerator();

const kill = await runKillTest(KILLS, RATE);
console.log(`kill -9 durability: ${RATE} messages/s into one room, the primary SIGKILLed after 2-5 s, ${KILLS} times`);
console.table(kill.rounds.map(({ round, killAfterMs, sent, acked, notPersisted, otherRefusals, unanswered, workersGoneMs, restartReadyMs, stored, ackedMissing, ackedChanged, storedDespiteNotPersisted, storedUnanswered, duplicates }) => ({
  round,
  'killed after ms': killAfterMs,
  sent,
  acked,
  'NOT_PERSISTED': notPersisted,
  'other errors': otherRefusals,
  'no answer': unanswered,
  'workers gone ms': Math.round(workersGoneMs),
  'restart ready ms': Math.round(restartReadyMs),
  stored,
  'ACKED MISSING': ackedMissing,
  'acked changed': ackedChanged,
  'stored but NOT_PERSISTED': storedDespiteNotPersisted,
  'stored, no answer': storedUnanswered,
  duplicates,
})));
console.log(`after a clean stop, the SQLite file: ${kill.file.stored} stored, ${kill.file.ackedMissing} acknowledged missing, ${kill.file.ackedChanged} changed, ${kill.file.duplicates} duplicates`);

const sweeps = new Map<number, SweepStep[]>();
for (const commitMax of [GROUP, ALONE]) sweeps.set(commitMax, await sweepAckLatency(commitMax, RATES, stepMs, OVERLOAD_MS));
const steps = [...sweeps.values()].flat();
console.log(`Ack latency against the rate (${STEP_MS / 1000} s per step, ${RATE_STEP_MS / 1000} s at ${RATE}/s; ${RATES.join(', ')} messages/s; a sweep stops after a step over ${OVERLOAD_MS} ms p99 or one that lost answers)`);
console.table(steps.map((step) => ({
  COMMIT_MAX_MESSAGES: step.commitMaxMessages,
  'rate /s': step.rate,
  s: step.seconds,
  senders: step.senders,
  sent: step.sent,
  acked: step.acked,
  refused: step.refused,
  'no answer': step.unanswered,
  'acked /s': Math.round(step.ackedPerS),
  'p50 ms': round1(step.p50Ms),
  'p99 ms': round1(step.p99Ms),
  'max ms': round1(step.maxMs),
  commits: step.commits,
  'msgs/commit': round1(step.meanBatch),
  'ms/commit': round1(step.meanCommitMs),
  'commits > 20 ms': step.slowCommits,
  'machine CPU / IO wait %': `${Math.round(step.pressure.cpuPct)} / ${Math.round(step.pressure.ioPct)}`,
})));

/** The rates swept with p99 within the limit and every message acknowledged, and the first that was not. */
function crossing(commitMax: number): string {
  const list = sweeps.get(commitMax) ?? [];
  const ok = (step: SweepStep) => step.p99Ms <= P99_LIMIT_MS && step.unanswered === 0 && step.refused === 0;
  const passed = list.filter(ok).map((step) => step.rate);
  return `${passed.length > 0 ? passed.join(', ') : 'none'} (first over: ${list.find((step) => !ok(step))?.rate ?? 'none'})`;
}

const killLatencyP50 = percentile(kill.latencies, 50);
const killLatencyP99 = percentile(kill.latencies, 99);
const atRate = sweeps.get(GROUP)?.find((step) => step.rate === RATE);
const summary = {
  'acknowledged missing after a kill (max over restarts)': Math.max(...kill.rounds.map((r) => r.ackedMissing)),
  'acknowledged missing in the file after a clean stop': kill.file.ackedMissing,
  [`ack p50 / p99 at ${RATE}/s, kill test (ms)`]: `${round1(killLatencyP50)} / ${round1(killLatencyP99)}`,
  [`ack p50 / p99 at ${RATE}/s, sweep (ms)`]: atRate ? `${round1(atRate.p50Ms)} / ${round1(atRate.p99Ms)}` : 'n/a',
  [`group commit: p99 <= ${P99_LIMIT_MS} ms at (msg/s)`]: crossing(GROUP),
  [`one transaction per message: p99 <= ${P99_LIMIT_MS} ms at (msg/s)`]: crossing(ALONE),
  'machine CPU / IO wait % during the kill test': `${Math.round(kill.pressure.cpuPct)} / ${Math.round(kill.pressure.ioPct)}`,
};
console.table(summary);
writeResults('durability', { summary, kill: { ...kill, latencies: undefined, latencyP50Ms: killLatencyP50, latencyP99Ms: killLatencyP99 }, sweeps: steps });

const bars = (rate: number) => [GROUP, ALONE].flatMap((commitMax) => {
  const step = sweeps.get(commitMax)?.find((s) => s.rate === rate);
  return step ? [{ series: commitMax === GROUP ? 'chatserver, group commit' : 'one transaction per message', value: step.p99Ms }] : [];
});
writeChart(
  'durability-acks',
  {
    title: 'Durable chat: send -> acknowledgement p99 against the message rate',
    subtitle: `ms, lower is better; target ${P99_LIMIT_MS} ms at ${RATE}/s; a sweep stops after a step over ${OVERLOAD_MS} ms`,
    groups: RATES.map((rate) => ({ label: `${rate.toLocaleString('en-US')} messages/s`, bars: bars(rate) })).filter((group) => group.bars.length > 0),
    format: (v) => `${v.toFixed(1)} ms`,
  },
  values.quick,
);
