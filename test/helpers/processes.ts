import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The ffmpeg processes whose command line names a file in `dir` (a room's HLS folder), read from
 * /proc: the operating system's view of what runs, whoever started it (an ffmpeg a dead worker
 * left behind too). A process that has exited, reaped or not, is not listed.
 */
export function ffmpegWriting(dir: string): number[] {
  const prefix = `${dir}${path.sep}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (path.basename(argv[0] ?? '').startsWith('ffmpeg') && argv.some((arg) => arg.startsWith(prefix))) pids.push(Number(entry));
  }
  return pids;
}
