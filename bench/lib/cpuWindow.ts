/**
 * CPU over a window of wall time, in percent of one core, from /proc: a server process (its own
 * threads only), the ffmpeg children it runs, and other processes (the publishers) apart.
 */
import { childPids, cpuMs, processName } from './processes.js';

export interface CpuWindow {
  readonly seconds: number;
  /** The server process itself (the room worker, or the peer's one process), ffmpeg excluded. */
  readonly serverPercent: number;
  /** Every ffmpeg the server runs (one per stream), summed. */
  readonly serverFfmpegPercent: number;
  readonly serverFfmpegCount: number;
  /** The publishers (the bench's own ffmpeg processes), summed. */
  readonly publishersPercent: number;
}

/** The ffmpeg processes a server runs: its direct children named ffmpeg. */
export function ffmpegChildren(serverPid: number): number[] {
  return childPids(serverPid).filter((pid) => processName(pid) === 'ffmpeg');
}

/** Summed CPU ms of the processes still alive; a process gone by now counts nothing. */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const readings = new Map<number, number>();
  for (const pid of pids) {
    try {
      readings.set(pid, cpuMs(pid));
    } catch {
      // exited
    }
  }
  return readings;
}

function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? ms);
  return total;
}

export async function cpuWindow(serverPid: number, publisherPids: readonly number[], seconds: number): Promise<CpuWindow> {
  const ffmpegs = ffmpegChildren(serverPid);
  const before = { server: cpuMs(serverPid), ffmpeg: cpuOf(ffmpegs), publishers: cpuOf(publisherPids), at: performance.now() };
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = { server: cpuMs(serverPid), ffmpeg: cpuOf(ffmpegs), publishers: cpuOf(publisherPids), at: performance.now() };
  const percent = (ms: number) => (ms / (after.at - before.at)) * 100;
  return {
    seconds,
    serverPercent: percent(after.server - before.server),
    serverFfmpegPercent: percent(spent(before.ffmpeg, after.ffmpeg)),
    serverFfmpegCount: ffmpegs.length,
    publishersPercent: percent(spent(before.publishers, after.publishers)),
  };
}

/** Waits until the server runs no ffmpeg (its streams have all ended), up to `timeoutMs`. */
export async function ffmpegsGone(serverPid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (ffmpegChildren(serverPid).length > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
