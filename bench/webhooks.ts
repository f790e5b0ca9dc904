/**
 * Webhooks under load, three phases in one run of one server (one worker):
 *
 *  1. **without webhooks**: chat messages in R rooms at `--rate` per second (no endpoint) while
 *     the fan-out measurement (bench/lib/fanoutRound.ts, steady and bursts) runs in another room;
 *  2. **with webhooks**: the same, each message a `message.created` event to an endpoint that
 *     takes `--delay` ms per answer; then the drain: events raised (messages acknowledged),
 *     delivered (distinct webhook-ids answered 2xx), lost, out of order per room;
 *  3. **healthy endpoint**: `--healthy-rate` events per second to an endpoint answering in 1 ms:
 *     event to first attempt, at the receiver (the event's timestamp to the request's arrival).
 *
 * Per-room order allows one request per room at a time, so an endpoint answering in D ms takes
 * at most CONCURRENCY * 1000 / D events per second: the bench sets WEBHOOK_CONCURRENCY as an
 * operator would, rate * D / 1000 with a quarter more for retries and jitter.
 *
 * The fan-out p99 of a 5 s steady round is about the second-worst of its 100 messages, so one
 * stall of the shared machine moves it: after the drain, `--pairs` - 1 more without/with pairs
 * run (the endpoint disabled, then enabled again), and the ratios are reported per pair and as
 * their median.
 *
 * `--profile` writes CPU profiles of the server's processes and threads (`node --cpu-prof`) to
 * bench/results/profiles/ (summarise one with `tsx bench/profile.ts <file>`).
 *
 * `--control` runs the "with" phases with the endpoint disabled (an A/A run): the spread of its
 * ratios is what this machine's noise alone does to them.
 *
 *   npm run bench:webhooks -- [--rate 1000] [--delay 200] [--rooms 250] [--healthy-rate 200] [--receivers 500] [--pairs 3] [--quick] [--profile] [--control]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectReceivers, fanoutRound, type FanoutLoad, type FanoutRun } from './lib/fanoutRound.js';
import { percentile } from './lib/processes.js';
import type { RawWsClient } from './lib/rawWs.js';
import { probePrimary, type PrimaryProbe } from './lib/primaryProbe.js';
import { writeResults } from './lib/report.js';
import { joinChat, ROOT, startChatserver } from './lib/targets.js';
import { startRemoteWebhookSink } from './lib/remoteWebhookSink.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    delay: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '250' },
    'healthy-rate': { type: 'string', default: '200' },
    'healthy-seconds': { type: 'string', default: '10' },
    receivers: { type: 'string', default: '500' },
    pairs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    control: { type: 'boolean', default: false },
  },
});
/**
 * A control (A/A) run: the "with" phases run with the endpoint disabled (no events), so their
 * ratios to the "without" phases show how far this machine's own noise moves them.
 */
const CONTROL = values.control;
const QUICK = values.quick;
const RATE = QUICK ? 200 : Number(values.rate);
const DELAY_MS = Number(values.delay);
const ROOMS = QUICK ? 50 : Number(values.rooms);
const HEALTHY_RATE = QUICK ? 100 : Number(values['healthy-rate']);
const HEALTHY_SECONDS = QUICK ? 2 : Number(values['healthy-seconds']);
const RECEIVERS = QUICK ? 100 : Number(values.receivers);
const LOAD: FanoutLoad = QUICK ? { rate: 10, burst: 10, seconds: 2 } : { rate: 20, burst: 50, seconds: 5 };
const PAIRS = QUICK ? 1 : Math.max(1, Number(values.pairs));
const CONCURRENCY = Math.ceil(((RATE * DELAY_MS) / 1000) * 1.25);

const sink = await startRemoteWebhookSink();
const PROFILE_DIR = path.join(ROOT, 'bench/results/profiles');
const server = await startChatserver(1, values.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [], { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_CONCURRENCY: String(CONCURRENCY) });
const admin = async (method: string, path: string, body?: unknown) => {
  const answer = await fetch(`http://127.0.0.1:${server.adminPort}${path}`, { method, headers: { 'x-api-key': 'BENCH_ADMIN', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return (await answer.json()) as { data: Record<string, unknown> };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The slow endpoint on or off; always off in a control run. */
const setEnabled = (id: string, enabled: boolean) => admin('PATCH', `/api/v1/webhooks/${id}`, { enabled: enabled && !CONTROL });

/** Every message's index: its text and ref, unique over the run (a repeated ref and text is a resend, acknowledged and not stored again). */
let nextIndex = 0;

/** Chat messages over the senders' rooms at `rate` per second until `stop()`; counts the acknowledgements. */
function chatLoad(senders: RawWsClient[], rate: number) {
  const counts = { sent: 0, acked: 0 };
  for (const client of senders) client.onText = (text) => text.includes('"ref"') && (counts.acked += 1);
  let running = true;
  const done = (async () => {
    const started = performance.now();
    let sent = 0;
    while (running) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++, counts.sent++, nextIndex++) senders[nextIndex % senders.length]!.send(JSON.stringify({ type: 'message', text: `m${nextIndex}`, ref: nextIndex }));
      await sleep(10);
    }
  })();
  return { counts, stop: async () => ((running = false), await done) };
}

/** Waits until every acknowledged message of `counts` is delivered at `path` (or two minutes). */
async function drain(counts: { sent: number; acked: number }, path: string): Promise<number> {
  const started = performance.now();
  const deadline = started + 120_000;
  while (((await sink.figures(path)).delivered < counts.acked || counts.acked < counts.sent) && performance.now() < deadline) await sleep(50);
  return Math.round(performance.now() - started);
}

const fanout: Array<FanoutRun & { phase: string; pair: number; primary: PrimaryProbe }> = [];
/** Every sampled fan-out latency of a phase and shape over all pairs ("with webhooks/steady"). */
const pooled = new Map<string, number[]>();
let laterPairs: object | undefined;
let slowFigures: object | undefined;
let healthyFigures: object | undefined;
try {
  const roomNames = Array.from({ length: ROOMS }, (_, i) => `wh${i}`);
  const senders: RawWsClient[] = [];
  for (const name of roomNames) {
    const created = (await (await fetch(`http://127.0.0.1:${server.publicPort}/api/v1/room/${name}`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } })).json()) as { data: { port: number } };
    senders.push(await joinChat(created.data.port, `sender-${name}`));
  }
  const receivers = await connectReceivers(server, RECEIVERS);
  console.error(`${ROOMS} rooms, ${RECEIVERS} fan-out receivers; WEBHOOK_CONCURRENCY=${CONCURRENCY}`);
  const phase = async (name: string, pair = 1) => {
    for (const shape of ['steady', 'burst'] as const) {
      const probe = await probePrimary(server.adminPort);
      const key = `${name}/${shape}`;
      if (!pooled.has(key)) pooled.set(key, []);
      const round = await fanoutRound(server, receivers, shape, LOAD, pooled.get(key));
      fanout.push({ phase: name, pair, ...round, primary: await probe.stop() });
    }
  };

  // 1. The chat load and fan-out with no endpoint, after a round not counted: the first round of a
  // fresh server pays for its warm-up (JIT, buffers), which would flatter the runs after it.
  const without = chatLoad(senders, RATE);
  await fanoutRound(server, receivers, 'burst', { ...LOAD, seconds: 2 });
  await phase('without webhooks');
  await without.stop();
  await sleep(1_000);

  // 2. The same with every message an event to the slow endpoint.
  await sink.path('/slow', DELAY_MS);
  const slowEndpoint = (await admin('POST', '/api/v1/webhooks', { url: sink.url('/slow'), events: ['message.created'], rooms: roomNames })).data.id as string;
  if (CONTROL) await setEnabled(slowEndpoint, false);
  const started = performance.now();
  const withHooks = chatLoad(senders, RATE);
  await phase('with webhooks');
  await withHooks.stop();
  const sendMs = performance.now() - started;
  const drainMs = CONTROL ? 0 : await drain(withHooks.counts, '/slow');
  const slow = await sink.figures('/slow');
  const stats = (await admin('GET', '/api/v1/stats')).data.webhooks as { failed: number; backlog: Array<{ inMemoryPeak: number }> };
  if (!CONTROL) slowFigures = {
    rate: RATE, delayMs: DELAY_MS, rooms: ROOMS, concurrency: CONCURRENCY, seconds: Math.round(sendMs / 100) / 10,
    sent: withHooks.counts.sent, acked: withHooks.counts.acked, delivered: slow.delivered, lost: Math.max(0, withHooks.counts.acked - slow.delivered),
    outOfOrder: slow.outOfOrder, requests: slow.requests, failedAttempts: stats.failed,
    deliveredPerSecond: Math.round(slow.delivered / ((sendMs + drainMs) / 1000)), drainAfterSendMs: drainMs,
    firstAttemptP99Ms: percentile(slow.firstAttemptMs, 99), inMemoryPeak: stats.backlog[0]?.inMemoryPeak ?? 0,
  };
  await setEnabled(slowEndpoint, false);

  // More pairs, for the ratios' sake: the endpoint disabled (no events), then enabled again.
  const later = { sent: 0, acked: 0 };
  for (let pair = 2; pair <= PAIRS; pair++) {
    const off = chatLoad(senders, RATE);
    await phase('without webhooks', pair);
    await off.stop();
    await setEnabled(slowEndpoint, true);
    const on = chatLoad(senders, RATE);
    await phase('with webhooks', pair);
    await on.stop();
    await setEnabled(slowEndpoint, false);
    later.sent += on.counts.sent;
    later.acked += on.counts.acked;
  }
  if (PAIRS > 1 && !CONTROL) {
    // Disabled between pairs: what was due waits in the store until the endpoint is enabled again.
    await setEnabled(slowEndpoint, true);
    const all = { sent: withHooks.counts.sent + later.sent, acked: withHooks.counts.acked + later.acked };
    await drain(all, '/slow');
    const allSlow = await sink.figures('/slow');
    laterPairs = { pairs: PAIRS - 1, acked: later.acked, deliveredAll: allSlow.delivered, lostAll: Math.max(0, all.acked - allSlow.delivered), outOfOrderAll: allSlow.outOfOrder };
    await setEnabled(slowEndpoint, false);
  }

  // 3. A healthy endpoint at a realistic rate.
  if (!CONTROL) await healthyPhase(senders, roomNames);
  for (const client of [...senders, ...receivers]) client.close();
} finally {
  await server.stop();
  sink.close();
}

async function healthyPhase(senders: RawWsClient[], roomNames: string[]): Promise<void> {
  await sink.path('/healthy', 1);
  await admin('POST', '/api/v1/webhooks', { url: sink.url('/healthy'), events: ['message.created'], rooms: roomNames });
  const healthyLoad = chatLoad(senders, HEALTHY_RATE);
  await sleep(HEALTHY_SECONDS * 1000);
  await healthyLoad.stop();
  await drain(healthyLoad.counts, '/healthy');
  const healthy = await sink.figures('/healthy');
  healthyFigures = {
    rate: HEALTHY_RATE, seconds: HEALTHY_SECONDS, acked: healthyLoad.counts.acked, delivered: healthy.delivered, outOfOrder: healthy.outOfOrder,
    firstAttemptP50Ms: percentile(healthy.firstAttemptMs, 50), firstAttemptP99Ms: percentile(healthy.firstAttemptMs, 99), firstAttemptMaxMs: Math.max(...healthy.firstAttemptMs),
  };
}

const run = (name: string, shape: string, pair: number) => fanout.find((r) => r.phase === name && r.shape === shape && r.pair === pair)!;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const pairRatios = (shape: 'steady' | 'burst', pair: number) => {
  const [a, b] = [run('without webhooks', shape, pair), run('with webhooks', shape, pair)];
  return { shape, pair, deliveriesPerS: ratio(b.deliveriesPerS, a.deliveriesPerS), p50: ratio(b.p50Ms, a.p50Ms), p99: ratio(b.p99Ms, a.p99Ms), cpuPerDelivery: ratio(b.workerCpuUsPerDelivery, a.workerCpuUsPerDelivery) };
};
const perPair = (['steady', 'burst'] as const).flatMap((shape) => Array.from({ length: PAIRS }, (_, i) => pairRatios(shape, i + 1)));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fanoutRatios = (['steady', 'burst'] as const).map((shape) => {
  const mine = perPair.filter((r) => r.shape === shape);
  return { shape, pairs: PAIRS, deliveriesPerS: median(mine.map((r) => r.deliveriesPerS)), p50: median(mine.map((r) => r.p50)), p99: median(mine.map((r) => r.p99)), cpuPerDelivery: median(mine.map((r) => r.cpuPerDelivery)) };
});
const tenths = (ms: number) => Math.round(ms * 10) / 10;
/** Over all pairs' samples (each round's p99 is about its second-worst message; pooled, the fifth-worst of 500 or so). */
const pooledRatios = (['steady', 'burst'] as const).map((shape) => {
  const [a, b] = [pooled.get(`without webhooks/${shape}`) ?? [], pooled.get(`with webhooks/${shape}`) ?? []];
  const figures = (values: number[]) => ({ samples: values.length, p50: tenths(percentile(values, 50)), p99: tenths(percentile(values, 99)) });
  const [without, withHooks] = [figures(a), figures(b)];
  return { shape, without, with: withHooks, p50: ratio(withHooks.p50, without.p50), p99: ratio(withHooks.p99, without.p99) };
});
console.table(fanout.map((r) => ({ pair: r.pair, phase: r.phase, shape: r.shape, delivered: `${r.delivered}/${r.expected}`, 'deliveries/s': r.deliveriesPerS, 'CPU µs/delivery': r.workerCpuUsPerDelivery.toFixed(2), 'p50 ms': r.p50Ms, 'p99 ms': r.p99Ms, 'primary CPU ms (kernel)': `${r.primaryCpuMs} (${r.primaryKernelMs})`, 'primary lag p99 med/max ms': `${r.primary.lagMedianMs}/${r.primary.lagMaxMs}`, 'commit mean ms': r.primary.commitMeanMs, 'commits >10 ms': r.primary.commitsOver10ms })));
console.log(JSON.stringify({ control: CONTROL, slowEndpoint: slowFigures, laterPairs, healthyEndpoint: healthyFigures, fanoutWithOverWithout: fanoutRatios, pooled: pooledRatios, perPair }, null, 2));
writeResults(`webhooks${CONTROL ? '-control' : ''}${QUICK ? '-quick' : ''}`, { control: CONTROL, receivers: RECEIVERS, load: LOAD, slowEndpoint: slowFigures, laterPairs, healthyEndpoint: healthyFigures, fanout, fanoutWithOverWithout: fanoutRatios, pooled: pooledRatios, perPair });
if (values.profile) console.log(`profiles: ${PROFILE_DIR} (summarise with: tsx bench/profile.ts <file>)`);
