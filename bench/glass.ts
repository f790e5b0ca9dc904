/**
 * Glass to glass from an ffmpeg push (issue 17's main target: p50 <= 1.0 s, p90 <= 1.3 s over
 * 120 s, no upward drift), for chatserver in Low-Latency HLS mode, chatserver in classic mode and
 * Node-Media-Server, in the same run and at the same time: Node paints the wall clock into raw
 * frames at 25 fps in real time (bench/lib/clockFrames.ts, the blocks of bench/browser/clock.js)
 * and writes each frame to three ffmpeg producers (libx264 veryfast zerolatency, a keyframe a
 * second): MPEG-TS over HTTP to each chatserver room's /ingest, FLV over RTMP to NMS (1 s
 * segments, as chatserver's). One Chromium plays all three with hls.js and the watch page's
 * settings (the real /watch/:room page; bench/browser/hlsViewer.html from NMS's origin), and the
 * clock is read from each <video> 4 times a second.
 *
 *   npm run bench:glass -- [--seconds 120] [--quick]   (quick: 15 s)
 */
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/helpers/browser.js';
import { testFfmpeg } from '../test/helpers/media.js';
import { ServerProcess } from '../test/helpers/ServerProcess.js';
import { CLOCK_FPS, clockOutputs, startClockPush, type ClockPush } from './lib/clockPush.js';
import { ClockViewer, sampleViewers, type LatencySummary } from './lib/clockViewer.js';
import { firstSegment } from './lib/firstSegment.js';
import { startNodeMediaServerPeer } from './lib/nodeMediaServerPeer.js';
import { writeChart, writeResults } from './lib/report.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, quick: { type: 'boolean', default: false } } });
const SECONDS = values.quick ? 15 : Number(values.seconds);
/** Drift compares the p50 of the first and the last window of this length. */
const WINDOW_S = Math.min(20, SECONDS / 3);
const SAMPLE_EVERY_MS = 250;
/** "No upward drift": the last window's p50 within one frame interval (the clock's resolution) of the first's. */
const TARGET = { p50Ms: 1000, p90Ms: 1300, driftMs: 1000 / CLOCK_FPS };

interface Contender {
  readonly name: string;
  readonly output: readonly string[];
  readonly viewerUrl: string;
  /** Resolves once the server lists the stream (the viewer is opened then). */
  readonly live: () => Promise<unknown>;
}

async function chatserverContender(server: ServerProcess, mode: 'll' | 'classic'): Promise<Contender> {
  const room = `glass-${mode}`;
  const port = (await server.createRoom(room)).body.data.port as number;
  const token = await server.token(room, 'bench', 'producer');
  return {
    name: `chatserver ${mode === 'll' ? 'LL-HLS' : 'classic HLS'}`,
    output: clockOutputs.httpIngest(`http://127.0.0.1:${port}/ingest?token=${token}`),
    viewerUrl: `http://127.0.0.1:${server.port}/watch/${room}`,
    live: () => server.waitForLog((line) => line.msg === 'stream live' && line.room === room, 30_000),
  };
}

const ffmpeg = await testFfmpeg();
const ll = await ServerProcess.start({ workers: 1, env: { HLS_MODE: 'll' } });
const classic = await ServerProcess.start({ workers: 1, env: { HLS_MODE: 'classic' } });
const nms = await startNodeMediaServerPeer(ffmpeg, 1, { viewer: true, pinned: false });
const browser = await launchChromium();
const viewers: ClockViewer[] = [];
let push: ClockPush | undefined;
try {
  const contenders = [await chatserverContender(ll, 'll'), await chatserverContender(classic, 'classic'), {
    name: 'Node-Media-Server, 1 s segments',
    output: clockOutputs.rtmp(`rtmp://127.0.0.1:${nms.rtmpPort}/live/clock`),
    viewerUrl: nms.viewerUrl('clock'),
    live: () => firstSegment(nms.playlistUrl('clock')),
  }];
  push = startClockPush(ffmpeg, contenders.map((c) => c.output));
  await Promise.all(contenders.map((c) => c.live()));
  for (const contender of contenders) viewers.push(await ClockViewer.open(browser, contender.name, contender.viewerUrl));
  await sampleViewers(viewers, SECONDS, SAMPLE_EVERY_MS);
} finally {
  await push?.stop();
  for (const viewer of viewers) await viewer.close();
  await browser.close();
  await nms.stop();
  await ll.dispose();
  await classic.dispose();
}

const summaries: Array<{ server: string } & LatencySummary> = viewers.map((viewer) => ({ server: viewer.name, ...viewer.summary(WINDOW_S) }));
const pushStats = push!.stats();
console.log(`Glass to glass from an ffmpeg push (25 fps, x264 zerolatency, keyframe every 1 s), ${SECONDS} s, three servers at once, Chromium + hls.js with the watch page's settings`);
console.log(`producer frames: ${pushStats.frames}, late by over a frame interval: ${pushStats.lateFrames}`);
console.table(summaries.map((s) => ({
  server: s.server,
  'p50 ms': s.p50Ms,
  'p90 ms': s.p90Ms,
  'max ms': s.maxMs,
  [`first ${WINDOW_S} s p50`]: s.firstWindowP50Ms,
  [`last ${WINDOW_S} s p50`]: s.lastWindowP50Ms,
  'drift ms': s.driftMs,
  'behind edge p50 s': s.behindEdgeP50S,
  samples: s.samples,
  unreadable: s.unreadable,
})));
const [llSummary, classicSummary, nmsSummary] = summaries;
const ratios: Record<string, string> = {};
if (llSummary && classicSummary && nmsSummary) {
  ratios['p50, LL / classic'] = `${(llSummary.p50Ms / classicSummary.p50Ms).toFixed(2)}x`;
  ratios['p50, LL / Node-Media-Server'] = `${(llSummary.p50Ms / nmsSummary.p50Ms).toFixed(2)}x`;
  ratios['p90, LL / classic'] = `${(llSummary.p90Ms / classicSummary.p90Ms).toFixed(2)}x`;
  ratios['p90, LL / Node-Media-Server'] = `${(llSummary.p90Ms / nmsSummary.p90Ms).toFixed(2)}x`;
  for (const [what, value] of Object.entries(ratios)) console.log(`${what}: ${value}`);
  const met = llSummary.p50Ms <= TARGET.p50Ms && llSummary.p90Ms <= TARGET.p90Ms && llSummary.driftMs <= TARGET.driftMs;
  console.log(`issue 17 target (LL p50 <= ${TARGET.p50Ms} ms, p90 <= ${TARGET.p90Ms} ms, drift <= ${TARGET.driftMs} ms): ${met ? 'met' : 'NOT met'}${values.quick ? ' (quick run: not the 120 s the target names)' : ''}`);
}
writeResults('glass', { seconds: SECONDS, windowSeconds: WINDOW_S, sampleEveryMs: SAMPLE_EVERY_MS, push: pushStats, summaries, ratios, samples: Object.fromEntries(viewers.map((v) => [v.name, v.samples])) });
writeChart(
  'glass',
  {
    title: 'Glass to glass from an ffmpeg push',
    subtitle: `seconds from a frame painted in Node to the viewer's screen (hls.js), ${SECONDS} s, all at once; lower is better`,
    groups: [
      { label: 'p50', bars: summaries.map((s) => ({ series: s.server, value: s.p50Ms / 1000 })) },
      { label: 'p90', bars: summaries.map((s) => ({ series: s.server, value: s.p90Ms / 1000 })) },
    ],
    format: (v) => `${v.toFixed(2)} s`,
  },
  values.quick,
);
