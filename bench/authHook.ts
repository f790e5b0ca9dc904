/**
 * What the join hook costs a chat join (issue 18's target: <= 5 ms p99 when the hook answers in
 * 1 ms, 0 when its answer is cached). Three servers of one worker each, started together: no
 * hook, the hook with its cache off (AUTH_HOOK_CACHE_SECONDS=0: every join asks), and the hook
 * with a cache whose answers were warmed by one earlier join of every user. The hook is an HTTP
 * server in this process that answers allow after `--hook-ms`. One join is a new WebSocket
 * connection, the join frame with a token, and the welcome: measured from connect to welcome,
 * one after another, the three servers in turn so drifts of this shared machine hit them alike.
 * Reported as differences against the no-hook server of the same run.
 *
 *   npm run bench:authhook -- [--joins 2000] [--users 200] [--hook-ms 1] [--quick]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { newWebhookSecret } from '../src/kit/standardWebhooks.js';
import { percentile, pinLoadGenerator } from './lib/processes.js';
import { RawWsClient } from './lib/rawWs.js';
import { writeResults } from './lib/report.js';
import { startChatserver } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: '2000' },
    users: { type: 'string', default: '200' },
    'hook-ms': { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
  },
});
const JOINS = values.quick ? 200 : Number(values.joins);
const USERS = values.quick ? 50 : Number(values.users);
const HOOK_MS = Number(values['hook-ms']);
/** Joins before the measured ones, per server: JIT, the hook's keep-alive socket, the token cache. */
const WARMUP = 50;

let hookCalls = 0;
/** How long the hook itself took per call (request received -> answer written): timers run late on a busy machine. */
const hookAnswerMs: number[] = [];
const hook = http.createServer((req, res) => {
  const received = performance.now();
  const answer = () => {
    res.writeHead(204).end();
    hookAnswerMs.push(performance.now() - received);
  };
  req.resume();
  req.on('end', () => {
    hookCalls += 1;
    // setTimeout(0) waits a millisecond too: 0 answers at once.
    if (HOOK_MS > 0) setTimeout(answer, HOOK_MS);
    else answer();
  });
});
await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
const hookEnv = (cacheSeconds: number) => ({
  AUTH_HOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/chat-auth`,
  AUTH_HOOK_SECRET: newWebhookSecret(),
  AUTH_HOOK_CACHE_SECONDS: String(cacheSeconds),
});

pinLoadGenerator();
const modes = ['no hook', 'hook', 'hook cached'] as const;
type Mode = (typeof modes)[number];
const servers = await Promise.all([startChatserver(1), startChatserver(1, [], hookEnv(0)), startChatserver(1, [], hookEnv(3_600))]);

/** Connect -> welcome in ms; throws on anything but a welcome. */
async function join(port: number, token: string): Promise<number> {
  const started = performance.now();
  const client = await RawWsClient.connect(port, '/chat');
  const answer = new Promise<string>((resolve) => (client.onText = resolve));
  client.send(JSON.stringify({ type: 'join', token }));
  const first = await answer;
  const ms = performance.now() - started;
  client.close();
  if (!first.includes('"welcome"')) throw new Error(`join refused: ${first.slice(0, 200)}`);
  return ms;
}

async function tokensFor(server: (typeof servers)[number]): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const response = await fetch(`http://127.0.0.1:${server.publicPort}/api/v1/room/bench/token`, {
      method: 'POST',
      headers: { 'x-api-key': 'BENCH', 'content-type': 'application/json' },
      body: JSON.stringify({ user: `u${i}`, name: `user ${i}`, role: 'viewer', ttl: 3600 }),
    });
    tokens.push(((await response.json()) as { data: { token: string } }).data.token);
  }
  return tokens;
}

try {
  const tokens = await Promise.all(servers.map(tokensFor));
  // Every user joins the cached server once, so every measured join there finds an answer.
  for (const token of tokens[2]!) await join(servers[2]!.roomPort, token);
  for (let i = 0; i < WARMUP; i++) for (const [s, server] of servers.entries()) await join(server.roomPort, tokens[s]![i % USERS]!);
  const callsBefore = hookCalls;
  hookAnswerMs.length = 0;
  const samples: Record<Mode, number[]> = { 'no hook': [], hook: [], 'hook cached': [] };
  for (let i = 0; i < JOINS; i++) {
    for (const [s, server] of servers.entries()) samples[modes[s]!].push(await join(server.roomPort, tokens[s]![i % USERS]!));
  }
  const measuredCalls = hookCalls - callsBefore;
  const base = { p50: percentile(samples['no hook'], 50), p99: percentile(samples['no hook'], 99) };
  const rows = modes.map((mode) => {
    const p50 = percentile(samples[mode], 50);
    const p99 = percentile(samples[mode], 99);
    return { mode, joins: samples[mode].length, 'p50 ms': p50.toFixed(2), 'p99 ms': p99.toFixed(2), 'p50 +ms': (p50 - base.p50).toFixed(2), 'p99 +ms': (p99 - base.p99).toFixed(2), 'p99 x': (p99 / base.p99).toFixed(2) };
  });
  console.log(`Join latency: connect -> welcome, ${JOINS} joins per server, hook answering in ${HOOK_MS} ms`);
  console.table(rows);
  const hookOwn = { p50: percentile(hookAnswerMs, 50), p99: percentile(hookAnswerMs, 99) };
  console.log(`the hook's own answer time: p50 ${hookOwn.p50.toFixed(2)} ms, p99 ${hookOwn.p99.toFixed(2)} ms`);
  // The cache-off server asks at every join and the cached one never: anything else is a broken run.
  console.log(`hook calls during the measured joins: ${measuredCalls} (expected ${JOINS}: one per join of the cache-off server)`);
  if (measuredCalls !== JOINS) throw new Error(`the hook was called ${measuredCalls} times, expected ${JOINS}`);
  writeResults(values.quick ? 'authHook-quick' : 'authHook', { joins: JOINS, users: USERS, hookMs: HOOK_MS, rows, hookOwnMs: hookOwn, samples });
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  hook.close();
}
