/**
 * Broadcast latency, measured end to end on this machine:
 *  - startup: producer connects -> first segment listed (the ingest's `live` frame);
 *  - pipeline: a frame reaches ffmpeg -> the playlist lists its segment (the server's lagMs,
 *    from an `ffmpeg -re` HTTP push that sends each frame when it is due: a MediaRecorder
 *    producer sends in 250 ms chunks, which skews that estimate, so it is not reported for them);
 *  - player: how far hls.js plays behind the playlist's live edge (hls.latency);
 *  - glass to glass: a wall clock painted into the broadcast canvas, read back from the
 *    viewer page's <video>, for H.264 (copied) and VP8 (transcoded) producers.
 * Run: `npm run bench:latency` (`-- --quick` for a short run). Results: bench/results/latency.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { testFfmpeg } from '../test/helpers/media.js';
import { cpuMs } from './lib/processes.js';
import { ServerProcess } from '../test/helpers/ServerProcess.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const WATCH_S = values.quick ? 8 : 30;
const CODECS = [
  ['h264 (copied)', 'video/webm;codecs=h264'],
  ['vp8 (encoded)', 'video/webm;codecs=vp8'],
] as const;

interface Run {
  readonly codec: string;
  readonly startupMs: number;
  readonly glassToGlassMs: number[];
  readonly behindEdgeS: number[];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(server: ServerProcess, page: (path: string) => Promise<Page>, codec: string, mimeType: string, room: string): Promise<Run> {
  const port = (await server.createRoom(room)).body.data.port as number;
  const token = await server.token(room, 'bench', 'producer');
  const ingest = `http://127.0.0.1:${port}/ingest?token=${token}`;
  const producer = await page('/');
  await producer.addScriptTag({ path: path.join(import.meta.dirname, 'browser/clock.js') });
  await producer.evaluate(`window.startClockBroadcast(${JSON.stringify(ingest.replace('http', 'ws'))}, ${JSON.stringify(mimeType)}, 1)`);
  await producer.waitForFunction("window.clockBroadcast?.frames.some((f) => f.frame.state === 'live')", undefined, { timeout: 30_000 });
  const startupMs = await producer.evaluate<number>("window.clockBroadcast.frames.find((f) => f.frame.state === 'live').at - window.clockBroadcast.startedAt");

  const viewer = await page(`/watch/${room}`);
  await viewer.addScriptTag({ path: path.join(import.meta.dirname, 'browser/clock.js') });
  await viewer.waitForFunction("(document.querySelector('video')?.currentTime ?? 0) > 0.5", undefined, { timeout: 30_000 });
  const run: Run = { codec, startupMs, glassToGlassMs: [], behindEdgeS: [] };
  const until = Date.now() + WATCH_S * 1000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sample = await viewer.evaluate<{ latencyMs: number; hlsLatencyS: number | null } | null>('window.readClock()');
    // A misread block gives an absurd value; a real one is below a minute.
    if (sample && sample.latencyMs < 60_000) run.glassToGlassMs.push(sample.latencyMs);
    if (sample?.hlsLatencyS) run.behindEdgeS.push(sample.hlsLatencyS);
  }
  await producer.evaluate('window.clockBroadcast.stop()');
  await producer.close();
  await viewer.close();
  return run;
}

/** What the pusher sends: H.264 (the server copies it) or MPEG-2 (cheap to make; the server encodes it). */
const PUSHES = {
  copy: ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p'],
  encode: ['-c:v', 'mpeg2video', '-q:v', '4', '-g', '30'],
} as const;

interface PipelineRun {
  readonly mode: keyof typeof PUSHES;
  readonly lagsMs: number[];
  /** The server's ffmpeg: CPU time over wall time, in percent of one core. */
  readonly ffmpegCpuPercent: number;
}

/** `ffmpeg -re` pushing a 720p30 test pattern over HTTP: the server's own lag and its ffmpeg's CPU. */
async function measurePipeline(server: ServerProcess, mode: keyof typeof PUSHES): Promise<PipelineRun> {
  const room = `pipeline-${mode}`;
  const port = (await server.createRoom(room)).body.data.port as number;
  const ingest = `http://127.0.0.1:${port}/ingest?token=${await server.token(room, 'bench', 'producer')}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30', ...PUSHES[mode],
    '-t', String(WATCH_S), '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', '-f', 'mpegts', ingest];
  const pusher = spawn(await testFfmpeg(), args, { stdio: 'ignore' });
  const done = new Promise((resolve) => pusher.once('close', resolve));
  const lagsMs: number[] = [];
  let finished = false;
  let ffmpegPid: number | undefined;
  let firstCpu: { at: number; ms: number } | undefined;
  let lastCpu: { at: number; ms: number } | undefined;
  void done.then(() => (finished = true));
  while (!finished) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = (await (await fetch(ingest)).json()) as { data?: { lagMs: number | null } };
    if (typeof status.data?.lagMs === 'number') lagsMs.push(status.data.lagMs);
    ffmpegPid ??= server.logs.find((line) => line.msg === 'ffmpeg started' && line.room === room)?.pid as number | undefined;
    if (ffmpegPid !== undefined && !finished) {
      try {
        const reading = { at: Date.now(), ms: cpuMs(ffmpegPid) };
        firstCpu ??= reading;
        lastCpu = reading;
      } catch {
        // ffmpeg finished between the check and the read
      }
    }
  }
  const ffmpegCpuPercent = firstCpu && lastCpu && lastCpu.at > firstCpu.at ? Math.round(((lastCpu.ms - firstCpu.ms) / (lastCpu.at - firstCpu.at)) * 100) : Number.NaN;
  return { mode, lagsMs, ffmpegCpuPercent };
}

const server = await ServerProcess.start({ workers: 1 });
const browser = await launchChromium();
try {
  const page = async (urlPath: string) => {
    const opened = await browser.newPage();
    await opened.goto(`http://127.0.0.1:${server.port}${urlPath}`);
    return opened;
  };
  const pipelines = [await measurePipeline(server, 'copy'), await measurePipeline(server, 'encode')];
  const runs: Run[] = [];
  for (const [codec, mimeType] of CODECS) runs.push(await measure(server, page, codec, mimeType, `latency${runs.length}`));
  const table = runs.map((run) => ({
    producer: run.codec,
    'startup ms': run.startupMs,
    'behind edge p50 s': Number(percentile(run.behindEdgeS, 50).toFixed(2)),
    'glass-to-glass p50 ms': percentile(run.glassToGlassMs, 50),
    'glass-to-glass p95 ms': percentile(run.glassToGlassMs, 95),
    samples: run.glassToGlassMs.length,
  }));
  console.log(`Broadcast latency (1 s segments, ${WATCH_S} s per producer, Chromium viewer with hls.js)`);
  console.log('ffmpeg pipeline per live stream (ffmpeg -re 720p30 push over HTTP): frame in -> segment listed, and the server ffmpeg\'s CPU');
  console.table(pipelines.map((p) => ({ stream: p.mode === 'copy' ? 'H.264, copied' : 'MPEG-2, encoded to H.264', 'lag p50 ms': percentile(p.lagsMs, 50), 'lag max ms': Math.max(...p.lagsMs), 'ffmpeg CPU % of a core': p.ffmpegCpuPercent })));
  console.table(table);
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latency.json'), JSON.stringify({ at: new Date().toISOString(), watchSeconds: WATCH_S, pipelines, table, runs }, null, 2));
} finally {
  await browser.close();
  await server.dispose();
}
