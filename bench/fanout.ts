/**
 * Chat fan-out benchmark: one room, N receivers, one sender at a steady rate. Measures the room
 * worker's CPU time per delivered message (from /proc) and delivery latency, for chatserver and
 * for a plain `ws` broadcast server in the same run.
 *
 *   npm run bench -- [--receivers 200] [--rate 50] [--seconds 10] [--quick]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const HAS_TASKSET = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return os.availableParallelism() > 1;
  } catch {
    return false;
  }
})();

const { values } = parseArgs({
  options: {
    receivers: { type: 'string', default: '200' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
  },
});
const receivers = values.quick ? 20 : Number(values.receivers);
const rate = values.quick ? 20 : Number(values.rate);
const seconds = values.quick ? 2 : Number(values.seconds);

/** utime + stime of a process, in milliseconds. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Servers run on core 0, the load generator (this process) on core 1, when the machine allows. */
function spawnPinned(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const command = HAS_TASKSET ? 'taskset' : process.execPath;
  const argv = HAS_TASKSET ? ['-c', '0', process.execPath, ...args] : args;
  return spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
}

function waitForLine(child: ChildProcess, test: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => test(line) && resolve(line));
    child.once('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
}

interface Target {
  name: string;
  url: string;
  /** Processes whose CPU counts: the room worker (and, reported apart, the primary). */
  workerPid: number;
  primaryPid?: number;
  join?: (ws: WebSocket, name: string) => Promise<void>;
  stop(): Promise<void>;
}

async function startChatserver(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const [port, adminPort, roomPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawnPinned([path.join(ROOT, 'dist/main.js')], {
    ...process.env,
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    ROOM_PORTS: `${roomPort}-${roomPort}`,
    DATA_DIR: dataDir,
    WORKERS: '1',
    KEY: 'BENCH',
    ADMIN_KEY: 'BENCH_ADMIN',
    LOG_LEVEL: 'info',
    CHAT_RATE: '10000',
    CHAT_BURST: '10000',
  });
  await waitForLine(child, (line) => line.includes('chatserver ready'));
  await fetch(`http://127.0.0.1:${port}/api/v1/room/bench`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } });
  const stats = (await (await fetch(`http://127.0.0.1:${adminPort}/api/v1/stats`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).json()) as {
    data: { workers: Array<{ pid: number }> };
  };
  return {
    name: 'chatserver',
    url: `ws://127.0.0.1:${roomPort}/chat`,
    workerPid: stats.data.workers[0]!.pid,
    primaryPid: child.pid!,
    join: async (ws, name) => {
      ws.send(JSON.stringify({ type: 'join', name }));
      await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startWsPeer(): Promise<Target> {
  const port = await freePort();
  const child = spawnPinned([path.join(ROOT, 'bench/peers/wsBroadcast.mjs'), String(port)], process.env);
  await waitForLine(child, (line) => line === 'ready');
  return {
    name: 'ws broadcast',
    url: `ws://127.0.0.1:${port}`,
    workerPid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(target: Target) {
  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(target.url, { perMessageDeflate: false });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const sockets: WebSocket[] = [];
  for (let i = 0; i < receivers; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, receivers - i) }, () => open()));
    await Promise.all(batch.map((ws, j) => target.join?.(ws, `r${i + j}`)));
    sockets.push(...batch);
  }
  const sender = await open();
  await target.join?.(sender, 'sender');

  let delivered = 0;
  const latencies: number[] = [];
  for (const ws of sockets) {
    ws.on('message', (data: Buffer) => {
      // The send time leads the text: cheap to find without parsing the JSON. Other frames
      // (presence) do not count as deliveries.
      const text = data.toString('latin1');
      const at = text.indexOf('"t:');
      if (at < 0) return;
      delivered += 1;
      if (delivered % 7 === 0) latencies.push(Date.now() - Number(text.slice(at + 3, text.indexOf(':', at + 3))));
    });
  }

  const total = rate * seconds;
  const expected = total * receivers;
  const cpuBefore = cpuMs(target.workerPid);
  const primaryBefore = target.primaryPid ? cpuMs(target.primaryPid) : 0;
  const started = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
      for (; sent < due; sent++) sender.send(JSON.stringify({ type: 'message', text: `t:${Date.now()}:${'x'.repeat(80)}` }));
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  const deadline = Date.now() + 30_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cpu = cpuMs(target.workerPid) - cpuBefore;
  const primaryCpu = target.primaryPid ? cpuMs(target.primaryPid) - primaryBefore : 0;
  for (const ws of [...sockets, sender]) ws.terminate();
  latencies.sort((a, b) => a - b);
  return {
    target: target.name,
    receivers,
    messages: total,
    delivered,
    expected,
    workerCpuMs: cpu,
    workerCpuUsPerDelivery: (cpu * 1000) / Math.max(1, delivered),
    primaryCpuMs: primaryCpu,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
  };
}

type Result = Awaited<ReturnType<typeof run>>;
if (HAS_TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
const results: Result[] = [];
for (const start of [startWsPeer, startChatserver]) {
  const target = await start();
  try {
    results.push(await run(target));
  } finally {
    await target.stop();
  }
}
const [peer, ours] = results as [Result, Result];
const table = results.map((r) => ({
  target: r.target,
  delivered: `${r.delivered}/${r.expected}`,
  'worker CPU µs/delivery': r.workerCpuUsPerDelivery.toFixed(2),
  'primary CPU ms': r.primaryCpuMs.toFixed(0),
  'p50 ms': r.latencyP50Ms,
  'p99 ms': r.latencyP99Ms,
}));
console.table(table);
const ratio = ours.workerCpuUsPerDelivery / peer.workerCpuUsPerDelivery;
console.log(`chatserver worker CPU per delivered message = ${ratio.toFixed(2)}x the plain ws broadcast server (${HAS_TASKSET ? 'servers on core 0, clients on core 1' : 'unpinned'})`);
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench/results/fanout.json'),
  `${JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.availableParallelism(), node: process.version }, receivers, rate, seconds, results, ratio }, null, 2)}\n`,
);
