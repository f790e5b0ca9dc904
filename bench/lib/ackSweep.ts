/**
 * Ack latency against the message rate: senders post at a fixed total rate (500 messages/s
 * each, one room each) for a step, the step drains (every message answered), and the send ->
 * acknowledgement latency is taken; then the next, higher rate, until the store is overloaded.
 * One server per COMMIT_MAX_MESSAGES value, so group commit and one-transaction-per-message
 * are measured in the same run on the same disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AckSender, sendPaced, SendLedger } from './ackSender.js';
import { measurePressure, type Pressure } from './pressure.js';
import { percentile } from './processes.js';
import { serverPorts, ServerProcess, sleep, waitUntil } from './serverProcess.js';

/** Each sender's share: more senders (and rooms) rather than one fast client. */
export const RATE_PER_SENDER = 500;
const DRAIN_TIMEOUT_MS = 30_000;
const WARM_UP = { rate: 200, ms: 1_000 };

export interface SweepStep {
  readonly commitMaxMessages: number;
  readonly rate: number;
  readonly seconds: number;
  readonly senders: number;
  readonly sent: number;
  readonly acked: number;
  readonly refused: number;
  /** The refusals by error code. */
  readonly refusedCodes: Record<string, number>;
  readonly unanswered: number;
  /** Acknowledgements per second, from the first send to the last answer. */
  readonly ackedPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly commits: number;
  readonly meanBatch: number;
  readonly meanCommitMs: number;
  /** Commits that took over 20 ms (the server's commit histogram). */
  readonly slowCommits: number;
  /** How busy the shared machine was (every process on it, ours included) during the step. */
  readonly pressure: Pressure;
}

interface CommitTotals {
  readonly commits: number;
  readonly committed: number;
  readonly commitSeconds: number;
  readonly commitsOver20Ms: number;
}

async function commitTotals(server: ServerProcess): Promise<CommitTotals> {
  const stats = await server.adminGet<{ messages: { commits: number; committed: number } }>('/api/v1/stats');
  const metrics = await server.adminText('/metrics');
  const metric = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
  const within20Ms = metric(/^chatserver_commit_seconds_bucket\{le="0\.02",result="ok"\} (\S+)$/m);
  return {
    commits: stats.messages.commits,
    committed: stats.messages.committed,
    commitSeconds: metric(/^chatserver_commit_seconds_sum\{result="ok"\} (\S+)$/m),
    commitsOver20Ms: metric(/^chatserver_commit_seconds_count\{result="ok"\} (\S+)$/m) - within20Ms,
  };
}

function countCodes(codes: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

async function runStep(server: ServerProcess, roomPorts: readonly number[], commitMaxMessages: number, rate: number, stepMs: number): Promise<SweepStep> {
  const ledger = new SendLedger();
  const count = Math.ceil(rate / RATE_PER_SENDER);
  const senders = await Promise.all(roomPorts.slice(0, count).map((port, i) => AckSender.join(port, `sweep-${rate}-${i}`, ledger)));
  const before = await commitTotals(server);
  let ref = 0;
  const pressure = measurePressure();
  const started = performance.now();
  await sendPaced(senders, rate, stepMs, () => ref++);
  await waitUntil(() => ledger.answered >= ledger.sentAt.size, DRAIN_TIMEOUT_MS, 'every message answered').catch(() => undefined);
  const drainedMs = performance.now() - started;
  const stepPressure = pressure();
  const after = await commitTotals(server);
  for (const sender of senders) sender.close();
  const latencies = ledger.latencies();
  const commits = after.commits - before.commits;
  return {
    commitMaxMessages,
    rate,
    seconds: stepMs / 1000,
    senders: count,
    sent: ledger.sentAt.size,
    acked: ledger.acks.size,
    refused: ledger.refusals.size,
    refusedCodes: countCodes(ledger.refusals.values()),
    unanswered: ledger.unanswered().length,
    ackedPerS: ledger.acks.size / (drainedMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    commits,
    meanBatch: (after.committed - before.committed) / commits,
    meanCommitMs: ((after.commitSeconds - before.commitSeconds) * 1000) / commits,
    slowCommits: after.commitsOver20Ms - before.commitsOver20Ms,
    pressure: stepPressure,
  };
}

/**
 * Steps through `rates` in order, all of them: on this shared machine one stall of the disk or
 * the CPU can fail a step on its own, so a failed step does not end the sweep. Only a step the
 * store clearly did not keep up with does (p99 over `overloadMs`, or answers lost or refused).
 */
export async function sweepAckLatency(commitMaxMessages: number, rates: readonly number[], stepMs: (rate: number) => number, overloadMs: number): Promise<SweepStep[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-acks-'));
  const server = await ServerProcess.start({ dataDir, ports: await serverPorts(100), workers: 1, env: { COMMIT_MAX_MESSAGES: String(commitMaxMessages) } });
  const steps: SweepStep[] = [];
  try {
    const rooms = Math.ceil(Math.max(...rates) / RATE_PER_SENDER);
    const roomPorts = await Promise.all(Array.from({ length: rooms }, (_, i) => server.createRoom(`sweep${i}`)));
    await runStep(server, roomPorts, commitMaxMessages, WARM_UP.rate, WARM_UP.ms);
    for (const rate of rates) {
      const step = await runStep(server, roomPorts, commitMaxMessages, rate, stepMs(rate));
      steps.push(step);
      if (step.p99Ms > overloadMs || step.unanswered > 0 || step.refused > 0) break;
      await sleep(500);
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return steps;
}
