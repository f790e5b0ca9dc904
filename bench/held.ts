/**
 * Held playlist requests (issue 17's target: 1,000 viewers blocking on one room's Low-Latency
 * HLS playlist cost <= 5% of a core of the worker's CPU beyond what the same viewers cost on
 * classic HLS). One room, one worker (pinned to core 0 with its ffmpeg), an `ffmpeg -re` 360p25
 * H.264 push (copied); the viewers (bench/lib/playlistViewers.ts) run in this process, on core 1,
 * spread over 249 loopback source addresses (at most 5 viewers each, under the default
 * HLS_MAX_HELD_PER_ADDRESS of 50: the bound is not raised). For each mode: the worker's CPU with
 * the producer alone, then with the viewers, over a window of wall time (/proc).
 *
 *   npm run bench:held -- [--viewers 1000] [--seconds 20] [--quick]   (quick: 100 viewers, 5 s)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testFfmpeg } from '../test/helpers/media.js';
import { cpuWindow, type CpuWindow } from './lib/cpuWindow.js';
import { runViewers, type ViewerCounters } from './lib/playlistViewers.js';
import { pinLoadGenerator, stopChild } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { ServerProcess, serverPorts, waitUntil } from './lib/serverProcess.js';

const { values } = parseArgs({ options: { viewers: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '20' }, quick: { type: 'boolean', default: false } } });
const VIEWERS = values.quick ? 100 : Number(values.viewers);
const SECONDS = values.quick ? 5 : Number(values.seconds);
/** Viewers settle (first loads, connections opened) before the window. */
const WARMUP_S = values.quick ? 2 : 5;
const IDLE_S = values.quick ? 3 : 10;
const TARGET_PERCENT = 5;

interface ModeRun {
  readonly mode: 'll' | 'classic';
  readonly idle: CpuWindow;
  readonly loaded: CpuWindow;
  readonly counters: ViewerCounters;
  /** This process (every viewer) on its core, in % of it: near 100, the viewers could not keep up. */
  readonly loadGeneratorPercent: number;
  /** Per viewer per second, in the measured window. */
  readonly playlistsPerViewerS: number;
  readonly mediaPerViewerS: number;
}

async function token(publicPort: number, room: string): Promise<string> {
  const minted = await fetch(`http://127.0.0.1:${publicPort}/api/v1/room/${room}/token`, {
    method: 'POST',
    headers: { 'x-api-key': 'BENCH', 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'bench', name: 'bench', role: 'producer' }),
  });
  return ((await minted.json()) as { data: { token: string } }).data.token;
}

/** Whether the room's playlist lists media yet (a Low-Latency one answers 404 until its first part). */
async function listsMedia(url: string): Promise<boolean> {
  const response = await fetch(url).catch(() => null);
  return response !== null && response.ok && /\.(m4s|ts)/.test(await response.text());
}

async function measureMode(mode: 'll' | 'classic'): Promise<ModeRun> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-held-'));
  const ports = await serverPorts(10);
  const server = await ServerProcess.start({ dataDir, ports, workers: 1, env: { HLS_MODE: mode } });
  const room = 'held';
  try {
    const roomPort = await server.createRoom(room);
    const workerPid = (await server.adminGet<Array<{ name: string; workerPid: number }>>('/api/v1/rooms')).find((r) => r.name === room)!.workerPid;
    const seconds = IDLE_S + WARMUP_S + SECONDS + 10;
    const producer = spawn(await testFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'mpegts', `http://127.0.0.1:${roomPort}/ingest?token=${await token(ports.port, room)}`], { stdio: 'ignore' });
    try {
      const playlistUrl = `http://127.0.0.1:${roomPort}/hls/index.m3u8`;
      await waitUntil(() => listsMedia(playlistUrl), 30_000, `${mode}: the room's playlist lists media`);
      const idle = await cpuWindow(workerPid, [], IDLE_S);
      const counters: ViewerCounters = { playlists: 0, media: 0, bytes: 0, failures: 0 };
      const stop = new AbortController();
      const viewers = runViewers(mode, playlistUrl, VIEWERS, stop.signal, counters);
      await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
      const before = { ...counters };
      const ownBefore = process.cpuUsage();
      const loaded = await cpuWindow(workerPid, [], SECONDS);
      const own = process.cpuUsage(ownBefore);
      const during: ViewerCounters = { playlists: counters.playlists - before.playlists, media: counters.media - before.media, bytes: counters.bytes - before.bytes, failures: counters.failures - before.failures };
      stop.abort();
      // A viewer held on a reload returns when that answer comes (within a part or two).
      await viewers;
      const perViewerS = (n: number) => Number((n / VIEWERS / SECONDS).toFixed(2));
      return { mode, idle, loaded, counters: during, loadGeneratorPercent: ((own.user + own.system) / 1000 / (SECONDS * 1000)) * 100, playlistsPerViewerS: perViewerS(during.playlists), mediaPerViewerS: perViewerS(during.media) };
    } finally {
      await stopChild(producer);
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

pinLoadGenerator();
const runs = [await measureMode('ll'), await measureMode('classic')];
const round = (n: number) => Number(n.toFixed(1));
console.log(`Held playlist requests: ${VIEWERS} viewers on one room, worker CPU over ${SECONDS} s (% of one core; the server's ffmpeg apart)`);
console.table(runs.map((run) => ({
  mode: run.mode,
  'worker, producer only %': round(run.idle.serverPercent),
  'worker, with viewers %': round(run.loaded.serverPercent),
  'viewers cost %': round(run.loaded.serverPercent - run.idle.serverPercent),
  'server ffmpeg %': round(run.loaded.serverFfmpegPercent),
  'playlists /viewer/s': run.playlistsPerViewerS,
  'parts or segments /viewer/s': run.mediaPerViewerS,
  'MB/s': round(run.counters.bytes / SECONDS / 2 ** 20),
  failures: run.counters.failures,
  'load generator %': round(run.loadGeneratorPercent),
})));
const [llRun, classicRun] = runs as [ModeRun, ModeRun];
const beyond = llRun.loaded.serverPercent - classicRun.loaded.serverPercent;
const viewersBeyond = llRun.loaded.serverPercent - llRun.idle.serverPercent - (classicRun.loaded.serverPercent - classicRun.idle.serverPercent);
console.log(`LL beyond classic, with viewers: ${round(beyond)}% of a core (the viewers alone: ${round(viewersBeyond)}%); issue 17 target <= ${TARGET_PERCENT}%: ${beyond <= TARGET_PERCENT ? 'met' : 'NOT met'}`);
writeResults('held', { viewers: VIEWERS, seconds: SECONDS, warmupSeconds: WARMUP_S, runs, llBeyondClassicPercent: round(beyond), viewersBeyondPercent: round(viewersBeyond) });
writeChart(
  'held',
  {
    title: `Held playlist requests: ${VIEWERS} viewers on one room`,
    subtitle: 'the room worker\'s CPU in % of one core (producer only, then with the viewers); lower is better',
    groups: [
      { label: 'producer only', bars: runs.map((run) => ({ series: run.mode === 'll' ? 'LL-HLS (blocking reload + parts)' : 'classic HLS (reload each target duration + segments)', value: run.idle.serverPercent })) },
      { label: `with ${VIEWERS} viewers`, bars: runs.map((run) => ({ series: run.mode === 'll' ? 'LL-HLS (blocking reload + parts)' : 'classic HLS (reload each target duration + segments)', value: run.loaded.serverPercent })) },
    ],
    format: (v) => `${v.toFixed(1)}%`,
  },
  values.quick,
);
