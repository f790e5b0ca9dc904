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

/**
 * The stream ffmpegs the server's room workers run now (LL-HLS ffmpeg writes to pipes, so no
 * folder names it). A worker also runs short-lived ffmpegs for thumbnails (one JPEG to
 * image2pipe): those are not streams and are left out.
 */
export async function workerFfmpegs(server: { stats(): Promise<Record<string, unknown>> }): Promise<number[]> {
  const workers = ((await server.stats()).workers as Array<{ pid: number | null }>).map((worker) => worker.pid).filter((pid): pid is number => pid !== null);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const argv0 = argv[0] ?? '';
      if (argv.includes('image2pipe')) continue;
      // The parent pid is the 4th field of /proc/<pid>/stat, after the command in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (path.basename(argv0).startsWith('ffmpeg') && workers.includes(parent)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
