/**
 * Scenario 6, broadcast latency, measured end to end on this machine:
 *  - startup: for chatserver, the real broadcast page's Go live click -> the page shows LIVE (the
 *    first segment is listed) and -> a watch page opened beforehand plays its first frame, over
 *    WHIP and over the WebSocket MediaRecorder upload (`&via=`), alternating, REPEATS times each;
 *    for the peers, producer connects -> first segment listed;
 *  - pipeline: a frame reaches ffmpeg -> the playlist lists its segment (the server's lagMs,
 *    from an `ffmpeg -re` HTTP push that sends each frame when it is due: a MediaRecorder
 *    producer sends in 250 ms chunks, which skews that estimate, so it is not reported for them),
 *    and the CPU of the server's ffmpeg for a copied and an encoded stream;
 *  - player: how far hls.js plays behind the playlist's live edge (hls.latency);
 *  - glass to glass: a wall clock painted into a canvas, read back from the viewer's <video>:
 *    chatserver's broadcast page publishing it as its camera over WHIP and over the WebSocket
 *    (H.264, copied), a plain page's MediaRecorder with VP8 (transcoded), and Node-Media-Server
 *    (H.264 over RTMP, remuxed by its ffmpeg) as its README sets it up and with 1 s segments.
 *    Every viewer is hls.js with the watch page's settings.
 * Figures are compared as ratios within the run (the machine is shared and noisy).
 * Run: `npm run bench:latency` (`-- --quick` for a short run: one startup each, no VP8 producer,
 * NMS with 1 s segments only). Results: bench/results/latency.json.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { FAKE_MEDIA_ARGS, launchChromium } from '../test/helpers/browser.js';
import { testFfmpeg } from '../test/helpers/media.js';
import { ServerProcess } from '../test/helpers/ServerProcess.js';
import { cpuMs, freePort, percentile, stopChild, waitForLine } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { startRtmpRelay } from './lib/rtmpRelay.js';
import { writeHlsConfigModule } from './lib/hlsConfigModule.js';
import { goLive, type IngestPath, type StudioSession, type StudioStartup } from './lib/studioLatency.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const WATCH_S = values.quick ? 8 : 20;
/** Go live -> first frame, per ingest path: the last one is watched for glass to glass too. */
const REPEATS = values.quick ? 1 : 3;
/** A publish that does not go live is tried again, this many times in all. */
const MAX_ATTEMPTS = 3;
const H264 = 'video/webm;codecs=h264';
const VP8 = 'video/webm;codecs=vp8';

interface Run {
  readonly server: string;
  readonly codec: string;
  readonly segmentSeconds: number;
  readonly startupMs: number;
  readonly glassToGlassMs: number[];
  readonly behindEdgeS: number[];
}

/** Where a producer streams to and where its viewer watches, for one server. */
interface LatencyTarget {
  readonly server: string;
  readonly segmentSeconds: number;
  readonly ingestUrl: string;
  readonly viewerUrl: string;
}

/** `openPage(null)` opens the page the producer runs in (any plain page: it streams a canvas). */
async function measure(openPage: (url: string | null) => Promise<Page>, target: LatencyTarget, codec: string, mimeType: string): Promise<Run> {
  const producer = await openPage(null);
  await producer.addScriptTag({ path: path.join(import.meta.dirname, 'browser/clock.js') });
  // A keyframe every second for every server: each segmenter cuts at the first keyframe past its segment length.
  await producer.evaluate(`window.startClockBroadcast(${JSON.stringify(target.ingestUrl)}, ${JSON.stringify(mimeType)}, 1)`);
  await producer.waitForFunction("window.clockBroadcast?.frames.some((f) => f.frame.state === 'live')", undefined, { timeout: 30_000 });
  const startupMs = await producer.evaluate<number>("window.clockBroadcast.frames.find((f) => f.frame.state === 'live').at - window.clockBroadcast.startedAt");

  const viewer = await openPage(target.viewerUrl);
  await viewer.addScriptTag({ path: path.join(import.meta.dirname, 'browser/clock.js') });
  const run = await watchClock(viewer, { server: target.server, codec, segmentSeconds: target.segmentSeconds, startupMs });
  await producer.evaluate('window.clockBroadcast.stop()');
  await producer.close();
  await viewer.close();
  return run;
}

/** Reads the clock from a playing viewer every 0.5 s for WATCH_S seconds. */
async function watchClock(viewer: Page, about: Omit<Run, 'glassToGlassMs' | 'behindEdgeS'>): Promise<Run> {
  await viewer.waitForFunction("(document.querySelector('video')?.currentTime ?? 0) > 0.5", undefined, { timeout: 30_000 });
  const run: Run = { ...about, glassToGlassMs: [], behindEdgeS: [] };
  const until = Date.now() + WATCH_S * 1000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sample = await viewer.evaluate<{ latencyMs: number; hlsLatencyS: number | null } | null>('window.readClock()');
    // A misread block gives an absurd value; a real one is below a minute.
    if (sample && sample.latencyMs < 60_000) run.glassToGlassMs.push(sample.latencyMs);
    if (sample?.hlsLatencyS) run.behindEdgeS.push(sample.hlsLatencyS);
  }
  return run;
}

const PATH_LABELS: Record<IngestPath, string> = { whip: 'WHIP (H.264, copied)', websocket: 'WebSocket (H.264 WebM, copied)' };

/**
 * The broadcast page over each ingest path, alternating so drifts in the machine's load hit both
 * alike: REPEATS Go live -> first frame startups each, the last of each watched for glass to glass.
 */
async function measureStudio(server: ServerProcess): Promise<{ startups: StudioStartup[]; runs: Run[]; failures: string[] }> {
  const startups: StudioStartup[] = [];
  const runs: Run[] = [];
  const failures: string[] = [];
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    for (const via of ['whip', 'websocket'] as const) {
      let session: StudioSession | undefined;
      for (let attempt = 1; !session; attempt++) {
        try {
          session = await goLive(browser, server, `studio-${via}-${repeat}-${attempt}`, via);
        } catch (error) {
          // Counted and reported, not hidden: a publish that never went live is a finding too.
          const closed = server.logs.findLast((line) => line.msg === 'whip session closed' && String(line.room).startsWith(`studio-${via}-${repeat}-${attempt}`));
          failures.push(`${via} #${repeat}.${attempt}: ${error instanceof Error ? error.message : String(error)}${closed ? ` (server: ${String(closed.reason)})` : ''}`);
          if (attempt === MAX_ATTEMPTS) throw error;
        }
      }
      startups.push(session.startup);
      if (repeat === REPEATS) runs.push(await watchClock(session.viewer, { server: 'chatserver', codec: PATH_LABELS[via], segmentSeconds: 1, startupMs: session.startup.goLiveToLiveMs }));
      await session.close();
    }
  }
  return { startups, runs, failures };
}

/** The VP8 producer: a plain page's MediaRecorder straight to the WebSocket ingest (the broadcast page prefers H.264). */
async function chatserverTarget(server: ServerProcess, room: string): Promise<LatencyTarget> {
  const port = (await server.createRoom(room)).body.data.port as number;
  const token = await server.token(room, 'bench', 'producer');
  return { server: 'chatserver', segmentSeconds: 1, ingestUrl: `ws://127.0.0.1:${port}/ingest?token=${token}`, viewerUrl: `http://127.0.0.1:${server.port}/watch/${room}` };
}

/**
 * Node-Media-Server with its README's HLS settings (`hls_time` 2 s), or with 1 s segments like
 * chatserver's default. The browser producer reaches it through the RTMP relay; its viewer is
 * hls.js with the watch page's settings, served from NMS's own HTTP port.
 */
async function startNodeMediaServer(ffmpeg: string, hlsTime: number): Promise<{ target: (stream: string) => LatencyTarget; stop: () => Promise<void> }> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const mediaroot = mkdtempSync(path.join(os.tmpdir(), 'bench-nms-'));
  copyFileSync(path.join(import.meta.dirname, 'browser/hlsViewer.html'), path.join(mediaroot, 'hlsViewer.html'));
  copyFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.mjs'), path.join(mediaroot, 'hls.min.mjs'));
  writeHlsConfigModule(mediaroot);
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'peers/nodeMediaServer.mjs'), String(rtmpPort), String(httpPort), mediaroot, ffmpeg, String(hlsTime)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForLine(child, (line) => line === 'ready');
  const playlist = (stream: string) => `http://127.0.0.1:${httpPort}/live/${stream}/index.m3u8`;
  const relay = await startRtmpRelay(ffmpeg, `rtmp://127.0.0.1:${rtmpPort}/live`, playlist);
  return {
    target: (stream) => ({
      server: `Node-Media-Server, ${hlsTime} s segments`,
      segmentSeconds: hlsTime,
      ingestUrl: relay.urlFor(stream),
      viewerUrl: `http://127.0.0.1:${httpPort}/hlsViewer.html?src=${encodeURIComponent(playlist(stream))}`,
    }),
    stop: async () => {
      await relay.close();
      await stopChild(child);
      rmSync(mediaroot, { recursive: true, force: true });
    },
  };
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

const ffmpeg = await testFfmpeg();
// A room per publish: two pipelines, REPEATS x 2 startups (and their retries), the VP8 producer.
const server = await ServerProcess.start({ workers: 1, roomPortCount: 40 });
// The fake microphone gives the broadcast page's stream Opus audio, as a real camera's has.
const browser = await launchChromium(FAKE_MEDIA_ARGS);
const runs: Run[] = [];
let pipelines: PipelineRun[] | undefined;
const startups: StudioStartup[] = [];
const failures: string[] = [];
try {
  const openPage = async (url: string | null) => {
    // The pages' CSP blocks inline script, and the benchmark adds its clock as one (addScriptTag).
    const opened = await browser.newPage({ bypassCSP: true });
    await opened.goto(url ?? `http://127.0.0.1:${server.port}/`);
    return opened;
  };
  pipelines = [await measurePipeline(server, 'copy'), await measurePipeline(server, 'encode')];
  const studio = await measureStudio(server);
  startups.push(...studio.startups);
  failures.push(...studio.failures);
  runs.push(...studio.runs);
  if (!values.quick) runs.push(await measure(openPage, await chatserverTarget(server, 'latency-vp8'), 'VP8 (encoded)', VP8));
  // The peer's README sets hls_time 2; with 1 s it is the same segment length as chatserver's.
  for (const hlsTime of values.quick ? [1] : [2, 1]) {
    const nms = await startNodeMediaServer(ffmpeg, hlsTime);
    try {
      runs.push(await measure(openPage, nms.target(`clock${hlsTime}`), 'H.264 (copied)', H264));
    } finally {
      await nms.stop();
    }
  }
} finally {
  await browser.close();
  await server.dispose();
}

const p50 = (values: number[]) => percentile(values, 50);
const table = runs.map((run) => ({
  server: run.server,
  producer: run.codec,
  'startup ms': run.startupMs,
  'behind edge p50 s': Number(p50(run.behindEdgeS).toFixed(2)),
  'glass-to-glass p50 ms': p50(run.glassToGlassMs),
  'glass-to-glass p95 ms': percentile(run.glassToGlassMs, 95),
  samples: run.glassToGlassMs.length,
}));
const startupTable = (['whip', 'websocket'] as const).map((via) => {
  const mine = startups.filter((startup) => startup.via === via);
  return {
    path: PATH_LABELS[via],
    'Go live -> LIVE shown, each ms': mine.map((s) => s.goLiveToLiveMs).join(' '),
    'Go live -> first frame in a viewer, each ms': mine.map((s) => s.goLiveToFirstFrameMs).join(' '),
    'first frame p50 ms': p50(mine.map((s) => s.goLiveToFirstFrameMs)),
  };
});
console.log(`Broadcast latency (${WATCH_S} s per producer, Chromium viewer with hls.js, the watch page's settings)`);
console.log('ffmpeg pipeline per live stream (ffmpeg -re 720p30 push over HTTP): frame in -> segment listed, and the server ffmpeg\'s CPU');
console.table((pipelines ?? []).map((p) => ({ stream: p.mode === 'copy' ? 'H.264, copied' : 'MPEG-2, encoded to H.264', 'lag p50 ms': p50(p.lagsMs), 'lag max ms': Math.max(...p.lagsMs), 'ffmpeg CPU % of a core': p.ffmpegCpuPercent })));
console.log(`chatserver's broadcast page, Go live -> first frame playing in a watch page opened before (${REPEATS} per path, alternating)`);
console.table(startupTable);
console.log(`publishes that did not go live (tried again): ${failures.length === 0 ? 'none' : `\n  ${failures.join('\n  ')}`}`);
console.table(table);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const whip = runs.find((run) => run.codec === PATH_LABELS.whip)!;
const socket = runs.find((run) => run.codec === PATH_LABELS.websocket)!;
const firstFrame = (via: IngestPath) => p50(startups.filter((s) => s.via === via).map((s) => s.goLiveToFirstFrameMs));
const ratios: Record<string, string> = {
  'glass to glass p50, WHIP / WebSocket': ratio(p50(whip.glassToGlassMs), p50(socket.glassToGlassMs)),
  'Go live -> first frame p50, WHIP / WebSocket': ratio(firstFrame('whip'), firstFrame('websocket')),
};
for (const peer of runs.filter((run) => run.server !== 'chatserver')) {
  ratios[`glass to glass p50, WHIP / ${peer.server}`] = ratio(p50(whip.glassToGlassMs), p50(peer.glassToGlassMs));
  ratios[`glass to glass p50, WebSocket / ${peer.server}`] = ratio(p50(socket.glassToGlassMs), p50(peer.glassToGlassMs));
}
for (const [what, value] of Object.entries(ratios)) console.log(`${what}: ${value}`);
writeResults('latency', { watchSeconds: WATCH_S, repeats: REPEATS, pipelines, startups, failures, table, ratios, runs });
const label = (run: Run) => (run.server === 'chatserver' ? `chatserver, ${run.codec.split(' (')[0]}` : run.server.replace('Node-Media-Server', 'NMS'));
writeChart(
  'latency',
  {
    title: 'Broadcast latency: glass to glass',
    subtitle: 'seconds from a frame painted in the producer\'s browser to the viewer\'s screen (hls.js); lower is better',
    groups: [
      { label: 'glass to glass, p50', bars: runs.map((run) => ({ series: label(run), value: p50(run.glassToGlassMs) / 1000 })) },
      { label: 'chatserver: Go live -> first frame in a viewer, p50', bars: (['whip', 'websocket'] as const).map((via) => ({ series: label(via === 'whip' ? whip : socket), value: firstFrame(via) / 1000 })) },
      { label: 'startup: Go live (peers: producer connects) -> first segment listed', bars: runs.map((run) => ({ series: label(run), value: run.startupMs / 1000 })) },
    ],
    format: (v) => `${v.toFixed(2)} s`,
  },
  values.quick,
);
