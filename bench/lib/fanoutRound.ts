/**
 * One chat fan-out measurement (the fanout scenario's, shared with the RTMP scenario, which runs
 * it beside live streams): one sender, the given receivers, a steady rate or bursts once a
 * second; deliveries per second, latency p50/p99 (sender timestamp to receipt) and the room
 * worker's CPU time per delivered message, from /proc.
 */
import { cpuTimes, percentile } from './processes.js';
import type { RawWsClient } from './rawWs.js';
import { sentAt, type Target } from './targets.js';

export type Shape = 'steady' | 'burst';

/** Messages per second for `steady`, messages per burst for `burst`, for `seconds`. */
export interface FanoutLoad {
  readonly rate: number;
  readonly burst: number;
  readonly seconds: number;
}

export interface FanoutRun {
  readonly target: string;
  readonly shape: Shape;
  readonly receivers: number;
  readonly messages: number;
  readonly delivered: number;
  readonly expected: number;
  readonly deliveriesPerS: number;
  /** From the first message sent to the last delivered (or the 30 s give-up). */
  readonly elapsedS: number;
  /** The room worker's CPU time over that span (utime + stime). */
  readonly workerCpuMs: number;
  readonly workerCpuUsPerDelivery: number;
  /** The share of that CPU time spent in the kernel (stime): mostly the sockets' send calls. */
  readonly kernelShare: number;
  readonly primaryCpuMs: number;
  /** The kernel's part of primaryCpuMs (system time: sockets, file writes, fsync). */
  readonly primaryKernelMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const PADDING = 'x'.repeat(80);

export async function connectReceivers(target: Target, count: number): Promise<RawWsClient[]> {
  const clients: RawWsClient[] = [];
  for (let i = 0; i < count; i += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => target.connect(`r${i + j}`)))));
  }
  return clients;
}

/** Send times for the shape: `due(elapsed ms)` is how many messages should have gone by then. */
function schedule(shape: Shape, load: FanoutLoad): { total: number; due: (elapsedMs: number) => number } {
  if (shape === 'steady') return { total: load.rate * load.seconds, due: (ms) => Math.floor((ms / 1000) * load.rate) };
  return { total: load.burst * load.seconds, due: (ms) => Math.min(load.seconds, Math.floor(ms / 1000) + 1) * load.burst };
}

/** The primary's CPU since `before` (all its threads), and the kernel's part of it. */
function primaryCpu(pid: number | undefined, before: { userMs: number; systemMs: number }): { primaryCpuMs: number; primaryKernelMs: number } {
  if (!pid) return { primaryCpuMs: 0, primaryKernelMs: 0 };
  const after = cpuTimes(pid);
  const primaryKernelMs = after.systemMs - before.systemMs;
  return { primaryCpuMs: after.userMs - before.userMs + primaryKernelMs, primaryKernelMs };
}

/** Milliseconds to a tenth: the send time is `performance.now()` in this process (sender and receivers share its clock). */
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** `samples`, when given, also gets every sampled latency (ms): a caller pools rounds for a steadier tail than one round's p99. */
export async function fanoutRound(target: Target, receivers: RawWsClient[], shape: Shape, load: FanoutLoad, samples?: number[]): Promise<FanoutRun> {
  const sender = await target.connect('sender');
  let delivered = 0;
  const latencies: number[] = [];
  for (const client of receivers) {
    client.onText = (text) => {
      const at = sentAt(text);
      if (at === null) return;
      delivered += 1;
      // Sampling keeps the receivers cheap: one latency in 16.
      if ((delivered & 15) === 0) latencies.push(performance.now() - at);
    };
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { total, due } = schedule(shape, load);
  const expected = total * receivers.length;
  const cpuBefore = cpuTimes(target.workerPid);
  const primaryBefore = target.primaryPid ? cpuTimes(target.primaryPid) : { userMs: 0, systemMs: 0 };
  const started = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      for (const until = Math.min(total, due(Date.now() - started)); sent < until; sent++) target.send(sender, `t:${performance.now().toFixed(2)}:${PADDING}`);
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const deadline = Date.now() + 30_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const elapsedS = (Date.now() - started) / 1000;
  samples?.push(...latencies);
  const cpuAfter = cpuTimes(target.workerPid);
  const systemMs = cpuAfter.systemMs - cpuBefore.systemMs;
  const cpu = cpuAfter.userMs - cpuBefore.userMs + systemMs;
  sender.close();
  return {
    target: target.name,
    shape,
    receivers: receivers.length,
    messages: total,
    delivered,
    expected,
    deliveriesPerS: Math.round(delivered / elapsedS),
    elapsedS,
    workerCpuMs: cpu,
    workerCpuUsPerDelivery: (cpu * 1000) / Math.max(1, delivered),
    kernelShare: cpu > 0 ? systemMs / cpu : 0,
    ...primaryCpu(target.primaryPid, primaryBefore),
    p50Ms: tenths(percentile(latencies, 50)),
    p99Ms: tenths(percentile(latencies, 99)),
  };
}
