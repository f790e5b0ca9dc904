import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { createInterface } from 'node:readline';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** Servers on core 0 and the load generator on core 1, when taskset and two cores exist. */
export const HAS_TASKSET = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return os.availableParallelism() > 1;
  } catch {
    return false;
  }
})();

/** Moves this process (the load generator) to core 1. */
export function pinLoadGenerator(): void {
  if (HAS_TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
}

/** A process's CPU time in user space and in the kernel, in milliseconds, from /proc. */
export function cpuTimes(pid: number): { userMs: number; systemMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userMs: (Number(fields[11]) * 1000) / CLK_TCK, systemMs: (Number(fields[12]) * 1000) / CLK_TCK };
}

/** utime + stime of a process, in milliseconds. */
export function cpuMs(pid: number): number {
  const { userMs, systemMs } = cpuTimes(pid);
  return userMs + systemMs;
}

/** Resident memory of a process in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Spawns a Node script for a server under test, pinned to core 0 when possible. */
export function spawnPinned(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const command = HAS_TASKSET ? 'taskset' : process.execPath;
  const argv = HAS_TASKSET ? ['-c', '0', process.execPath, ...args] : args;
  return spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
}

export function waitForLine(child: ChildProcess, test: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => test(line) && resolve(line));
    child.once('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** The direct children of a process (every thread's), from /proc; [] once it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** The command name of a process (`ffmpeg`, `node`), or null once it is gone. */
export function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}
