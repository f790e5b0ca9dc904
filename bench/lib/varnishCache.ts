/**
 * Varnish in front of one room port, running docs/varnish.vcl itself (its example backends
 * replaced by the bench's room), pinned to core 0 beside the server it fronts. The viewers send
 * the room port in X-Room-Port, as the documented nginx in front of it would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childPids, freePort, HAS_TASKSET, stopChild } from './processes.js';
import { waitUntil } from './serverProcess.js';

const VCL = path.join(import.meta.dirname, '../../docs/varnish.vcl');
const VARNISHD = '/usr/sbin/varnishd';

export interface VarnishCache {
  readonly port: number;
  /** The headers a viewer sends (what nginx adds in production). */
  readonly headers: Readonly<Record<string, string>>;
  /** The manager and its cache child: Varnish's CPU is theirs. */
  readonly pids: () => number[];
  readonly stop: () => Promise<void>;
}

export function hasVarnish(): boolean {
  return spawnSync(VARNISHD, ['-V'], { stdio: 'ignore' }).status === 0;
}

/** docs/varnish.vcl with its example backends and backend choice replaced by one room. */
export function vclFor(roomPort: number): string {
  const text = readFileSync(VCL, 'utf8');
  const replaceBlock = (source: string, name: string, lines: string): string => {
    const block = new RegExp(`(# BEGIN ${name}[^\\n]*\\n(?:\\s*#[^\\n]*\\n)*)[\\s\\S]*?(\\s*# END ${name})`);
    if (!block.test(source)) throw new Error(`docs/varnish.vcl has no "# BEGIN ${name}" ... "# END ${name}" block`);
    return source.replace(block, `$1${lines}$2`);
  };
  const backend = `backend room${roomPort} { .host = "127.0.0.1"; .port = "${roomPort}"; .first_byte_timeout = 15s; .between_bytes_timeout = 15s; }`;
  const choice = `  if (req.http.X-Room-Port == "${roomPort}") { set req.backend_hint = room${roomPort}; return (hash); }`;
  return replaceBlock(replaceBlock(text, 'room backends', backend), 'backend choice', choice);
}

export async function startVarnish(roomPort: number): Promise<VarnishCache> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-varnish-'));
  const vcl = path.join(dir, 'chatserver.vcl');
  writeFileSync(vcl, vclFor(roomPort));
  const port = await freePort();
  const args = ['-F', '-j', 'none', '-a', `127.0.0.1:${port}`, '-f', vcl, '-n', path.join(dir, 'instance'), '-s', 'malloc,256m'];
  const child: ChildProcess = spawn(HAS_TASKSET ? 'taskset' : VARNISHD, HAS_TASKSET ? ['-c', '0', VARNISHD, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const headers = { 'x-room-port': String(roomPort) };
  const answers = async () => (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`, { headers }).catch(() => null))?.status === 200;
  await waitUntil(answers, 20_000, `varnish in front of ${roomPort} (${log.trim().split('\n').at(-1) ?? 'no output'})`);
  // With taskset the manager is taskset's child (exec'd: the same pid); its cache process is the manager's child.
  const pids = () => (child.pid === undefined ? [] : [child.pid, ...childPids(child.pid)]);
  return {
    port,
    headers,
    pids,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
