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

/** `ffmpeg -re` pushing a 720p30 H.264 test pattern over HTTP: the server's own lag figures. */
async function measurePipeline(server: ServerProcess): Promise<number[]> {
  const port = (await server.createRoom('pipeline')).body.data.port as number;
  const ingest = `http://127.0.0.1:${port}/ingest?token=${await server.token('pipeline', 'bench', 'producer')}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30', '-c:v', 'libx264', '-preset', 'veryfast',
    '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p', '-t', String(WATCH_S), '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', '-f', 'mpegts', ingest];
  const pusher = spawn(await testFfmpeg(), args, { stdio: 'ignore' });
  const done = new Promise((resolve) => pusher.once('close', resolve));
  const lags: number[] = [];
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = (await (await fetch(ingest)).json()) as { data?: { lagMs: number | null } };
    if (typeof status.data?.lagMs === 'number') lags.push(status.data.lagMs);
  }
  return lags;
}

const server = await ServerProcess.start({ workers: 1 });
const browser = await launchChromium();
try {
  const page = async (urlPath: string) => {
    const opened = await browser.newPage();
    await opened.goto(`http://127.0.0.1:${server.port}${urlPath}`);
    return opened;
  };
  const pipeline = await measurePipeline(server);
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
  console.log(`ffmpeg pipeline (frame in -> segment listed, ffmpeg -re H.264 push, copied): p50 ${percentile(pipeline, 50)} ms, max ${Math.max(...pipeline)} ms`);
  console.table(table);
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latency.json'), JSON.stringify({ at: new Date().toISOString(), watchSeconds: WATCH_S, pipelineLagMs: pipeline, table, runs }, null, 2));
} finally {
  await browser.close();
  await server.dispose();
}
