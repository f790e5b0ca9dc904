/**
 * Scenario 8, RTMP ingest (issue 16), with ffmpeg as an OBS-like publisher (720p30, x264
 * veryfast zerolatency, a keyframe a second, AAC, `-re`) and chatserver on one worker:
 *  - publish start: ffmpeg starts -> the room's playlist lists the first segment -> that segment
 *    is fetched -> the first frame plays in the watch page (Chromium, a viewer token, so the page
 *    hears `live` at once), then glass to glass for a while (a wall clock painted into the frames
 *    by the publisher, read back from the <video>): RTMP against the HTTP push (`-f mpegts`) in
 *    turns, and Node-Media-Server's first segment from the same publisher;
 *  - accept: the publish handshake alone (connect, createStream, publish -> onStatus), one after
 *    another and all at once, chatserver against Node-Media-Server;
 *  - CPU per stream, copied: the room worker's own CPU (its ffmpeg apart) with 1 and N producers
 *    (a clip encoded once with the same settings, replayed with `-c copy`), against Node-Media-
 *    Server's process (its ffmpeg apart) with the same producers;
 *  - chat fan-out in the worker (the fanout scenario's measurement, bench/lib/fanoutRound.ts)
 *    without the N producers, with them, and without them again.
 * Servers run on core 0, the publishers, the browser and the chat load on core 1.
 *
 *   npm run bench:rtmp -- [--trials 3] [--producers 10] [--seconds 20] [--receivers 500] [--quick]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { testFfmpeg } from '../test/helpers/media.js';
import { cpuWindow, ffmpegsGone, type CpuWindow } from './lib/cpuWindow.js';
import { connectReceivers, fanoutRound, type FanoutLoad, type FanoutRun } from './lib/fanoutRound.js';
import { firstSegment } from './lib/firstSegment.js';
import { startNodeMediaServerPeer } from './lib/nodeMediaServerPeer.js';
import { clipArgs, clockPublisherArgs, copyPublisherArgs, type Destination } from './lib/obsLikePublisher.js';
import { HAS_TASKSET, percentile, pinLoadGenerator, stopChild } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { publishAck } from './lib/rtmpPublishProbe.js';
import { startChatserver } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '3' },
    producers: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    receivers: { type: 'string', default: '500' },
    quick: { type: 'boolean', default: false },
  },
});
const QUICK = values.quick;
const TRIALS = QUICK ? 1 : Number(values.trials);
/** Glass-to-glass samples are taken for this long in each startup trial. */
const WATCH_S = QUICK ? 2 : 10;
const PRODUCERS = QUICK ? 2 : Number(values.producers);
const CPU_S = QUICK ? 2 : Number(values.seconds);
const ACCEPTS = QUICK ? 10 : 50;
const RECEIVERS = QUICK ? 50 : Number(values.receivers);
const LOAD: FanoutLoad = QUICK ? { rate: 10, burst: 10, seconds: 2 } : { rate: 20, burst: 50, seconds: 10 };
const CLOCK_JS = path.join(import.meta.dirname, 'browser/clock.js');
const KEY = { 'x-api-key': 'BENCH' };

type Path = 'rtmp' | 'http';

interface StartupRun {
  readonly server: 'chatserver' | 'Node-Media-Server';
  readonly path: Path;
  readonly listedMs: number;
  readonly fetchedMs: number;
  /** null where no browser watched (the peer). */
  readonly firstFrameMs: number | null;
  readonly glassToGlassMs: number[];
}

interface CpuRun extends CpuWindow {
  readonly server: string;
  readonly path: Path | 'idle';
  readonly streams: number;
}

pinLoadGenerator();
const ffmpeg = await testFfmpeg();
const chat = await startChatserver(1);
const nms = await startNodeMediaServerPeer(ffmpeg, 1);
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-rtmp-'));
let roomCount = 0;

/** A new room on chatserver (its one worker) with a producer and a viewer token. */
async function newRoom(prefix: string): Promise<{ name: string; port: number; producer: string; viewer: string }> {
  const name = `${prefix}${roomCount++}`;
  const created = (await (await fetch(`http://127.0.0.1:${chat.publicPort}/api/v1/room/${name}`, { method: 'POST', headers: KEY })).json()) as { data: { port: number } };
  const token = async (role: string) => {
    const minted = await fetch(`http://127.0.0.1:${chat.publicPort}/api/v1/room/${name}/token`, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: JSON.stringify({ user: `${role}-bench`, name: role, role }) });
    return ((await minted.json()) as { data: { token: string } }).data.token;
  };
  return { name, port: created.data.port, producer: await token('producer'), viewer: await token('viewer') };
}

function destination(kind: Path, port: number, token: string): Destination {
  return kind === 'rtmp' ? { kind, url: `rtmp://127.0.0.1:${port}/live/${token}` } : { kind, url: `http://127.0.0.1:${port}/ingest?token=${token}` };
}

/** Spawns a publisher; its promise rejects if it exits with an error while it is still wanted. */
function publish(args: string[]): { child: ChildProcess; failed: Promise<never> } {
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = new Promise<never>((_resolve, reject) => child.once('exit', (code, signal) => code !== 0 && signal === null && reject(new Error(`publisher exited with ${code}: ${stderr}`))));
  failed.catch(() => {});
  return { child, failed };
}

/** The first frame the watch page's <video> shows, as Date.now() in the page (same clock). */
const FIRST_FRAME = "(() => { const v = document.querySelector('video'); if (v && v.currentTime > 0) window.firstFrameAt ??= Date.now(); return window.firstFrameAt ?? false; })()";

async function chatserverStartup(browser: Browser, kind: Path): Promise<StartupRun> {
  const room = await newRoom(`start-${kind}-`);
  const page = await browser.newPage({ bypassCSP: true });
  try {
    await page.goto(`http://127.0.0.1:${chat.publicPort}/watch/${room.name}?token=${room.viewer}`);
    await page.addScriptTag({ path: CLOCK_JS });
    // Joined: the page hears `live` the moment the first segment is listed.
    await page.waitForSelector('.chat-status:has-text(" as ")', { timeout: 20_000 });
    const startedAt = Date.now();
    const publisher = publish(clockPublisherArgs(destination(kind, room.port, room.producer), WATCH_S + 20));
    try {
      const [segment, firstFrameAt] = await Promise.race([
        Promise.all([
          firstSegment(`http://127.0.0.1:${room.port}/hls/index.m3u8`),
          page.waitForFunction(FIRST_FRAME, undefined, { polling: 'raf', timeout: 30_000 }).then((handle) => handle.jsonValue() as Promise<number>),
        ]),
        publisher.failed,
      ]);
      const glassToGlassMs: number[] = [];
      for (const until = Date.now() + WATCH_S * 1000; Date.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const sample = await page.evaluate<{ latencyMs: number } | null>('window.readClock()');
        // A misread block gives an absurd value; a real one is below a minute.
        if (sample && sample.latencyMs < 60_000) glassToGlassMs.push(sample.latencyMs);
      }
      return { server: 'chatserver', path: kind, listedMs: segment.listedAt - startedAt, fetchedMs: segment.fetchedAt - startedAt, firstFrameMs: firstFrameAt - startedAt, glassToGlassMs };
    } finally {
      await stopChild(publisher.child);
    }
  } finally {
    await page.close();
  }
}

/**
 * The publisher's own start: ffmpeg spawned -> its first FLV bytes out (the header, written once
 * the encoder is open) and -> its first keyframe's tag out, written into a pipe instead of a server.
 */
async function publisherStart(): Promise<{ headerMs: number; firstVideoMs: number }> {
  const startedAt = Date.now();
  const args = clockPublisherArgs({ kind: 'rtmp', url: 'pipe:1' }, 3);
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let headerMs = Number.NaN;
  let flv = Buffer.alloc(0);
  const firstVideoMs = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      headerMs = Number.isNaN(headerMs) ? Date.now() - startedAt : headerMs;
      flv = Buffer.concat([flv, chunk]);
      // FLV: a 9-byte header and a 4-byte size, then tags (type, 3-byte data size, 7 more header bytes, data, 4-byte size); video is type 9.
      for (let at = 13; at + 11 <= flv.length; at += 11 + flv.readUIntBE(at + 1, 3) + 4) {
        if (flv[at] === 9) return resolve(Date.now() - startedAt);
      }
    });
    child.once('exit', () => reject(new Error('the publisher wrote no video')));
  });
  await stopChild(child);
  return { headerMs, firstVideoMs };
}

async function peerStartup(trial: number): Promise<StartupRun> {
  const stream = `start${trial}`;
  const startedAt = Date.now();
  const publisher = publish(clockPublisherArgs({ kind: 'rtmp', url: `rtmp://127.0.0.1:${nms.rtmpPort}/live/${stream}` }, 30));
  try {
    const segment = await Promise.race([firstSegment(nms.playlistUrl(stream)), publisher.failed]);
    return { server: 'Node-Media-Server', path: 'rtmp', listedMs: segment.listedAt - startedAt, fetchedMs: segment.fetchedAt - startedAt, firstFrameMs: null, glassToGlassMs: [] };
  } finally {
    await stopChild(publisher.child);
  }
}

interface AcceptRun {
  readonly server: string;
  /** Connect -> publish's onStatus, one publisher after another. */
  readonly sequentialMs: number[];
  /** ACCEPTS publishers at once: how many were accepted per second of the whole. */
  readonly concurrentPerS: number;
  readonly refused: number;
}

/** Where one publish goes: a port and a stream key. */
interface PublishTarget {
  readonly port: number;
  readonly key: string;
}

async function accepts(server: string, targets: () => Promise<PublishTarget[]>): Promise<AcceptRun> {
  const sequentialMs: number[] = [];
  let refused = 0;
  for (const { port, key } of await targets()) {
    const ack = await publishAck(port, 'live', key);
    if (ack.code === 'NetStream.Publish.Start') sequentialMs.push(ack.ms);
    else refused += 1;
  }
  const batch = await targets();
  const started = performance.now();
  const acks = await Promise.all(batch.map(({ port, key }) => publishAck(port, 'live', key)));
  const accepted = acks.filter((ack) => ack.code === 'NetStream.Publish.Start').length;
  refused += acks.length - accepted;
  return { server, sequentialMs, concurrentPerS: accepted / ((performance.now() - started) / 1000), refused };
}

/** N copy publishers, each to its own stream; resolves once every stream has a segment listed. */
async function startProducers(count: number, target: (i: number) => Promise<{ destination: Destination; playlist: string }>, clip: string): Promise<ChildProcess[]> {
  const targets = await Promise.all(Array.from({ length: count }, (_, i) => target(i)));
  const publishers = targets.map((t) => publish(copyPublisherArgs(clip, t.destination)));
  await Promise.race([Promise.all(targets.map((t) => firstSegment(t.playlist))), ...publishers.map((p) => p.failed)]);
  // Past the start (ffmpeg probing, the first segment): the steady state is what is measured.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return publishers.map((p) => p.child);
}

async function stopProducers(children: ChildProcess[], serverPid: number): Promise<void> {
  await Promise.all(children.map((child) => stopChild(child)));
  if (!(await ffmpegsGone(serverPid))) console.warn(`server ${serverPid} still runs ffmpeg 20 s after its producers stopped`);
}

const startups: StartupRun[] = [];
const publisherStarts: Array<{ headerMs: number; firstVideoMs: number }> = [];
const acceptRuns: AcceptRun[] = [];
const cpuRuns: CpuRun[] = [];
const fanout: Array<FanoutRun & { phase: string }> = [];
try {
  const browser = await launchChromium();
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      // Alternating which path goes first evens out what the one before leaves behind.
      for (const kind of trial % 2 === 0 ? (['rtmp', 'http'] as const) : (['http', 'rtmp'] as const)) startups.push(await chatserverStartup(browser, kind));
      startups.push(await peerStartup(trial));
      publisherStarts.push(await publisherStart());
    }
  } finally {
    await browser.close();
  }
  await ffmpegsGone(chat.workerPid);
  await ffmpegsGone(nms.pid);

  // A room per publish (a room takes one publisher; its port takes its own tokens only), made beforehand.
  const chatTargets = async () => (await Promise.all(Array.from({ length: ACCEPTS }, () => newRoom('accept-')))).map((room) => ({ port: room.port, key: room.producer }));
  acceptRuns.push(await accepts('chatserver', chatTargets));
  let nmsStreams = 0;
  acceptRuns.push(await accepts('Node-Media-Server', async () => Array.from({ length: ACCEPTS }, () => ({ port: nms.rtmpPort, key: `accept${nmsStreams++}` }))));
  await ffmpegsGone(chat.workerPid);
  await ffmpegsGone(nms.pid);

  const clip = path.join(work, 'clip.flv');
  await promisify(execFile)(ffmpeg, clipArgs(clip, QUICK ? 2 : 10));
  const chatTarget = (kind: Path) => async () => {
    const room = await newRoom(`cpu-${kind}-`);
    return { destination: destination(kind, room.port, room.producer), playlist: `http://127.0.0.1:${room.port}/hls/index.m3u8` };
  };
  const nmsTarget = async (i: number) => ({ destination: { kind: 'rtmp', url: `rtmp://127.0.0.1:${nms.rtmpPort}/live/cpu${i}` } as const, playlist: nms.playlistUrl(`cpu${i}`) });
  const measureStreams = async (server: string, serverPid: number, kind: Path, count: number, target: (i: number) => Promise<{ destination: Destination; playlist: string }>) => {
    const producers = await startProducers(count, target, clip);
    cpuRuns.push({ server, path: kind, streams: count, ...(await cpuWindow(serverPid, producers.map((p) => p.pid!), CPU_S)) });
    return producers;
  };

  cpuRuns.push({ server: 'chatserver', path: 'idle', streams: 0, ...(await cpuWindow(chat.workerPid, [], CPU_S)) });
  await stopProducers(await measureStreams('chatserver', chat.workerPid, 'rtmp', 1, chatTarget('rtmp')), chat.workerPid);
  await stopProducers(await measureStreams('chatserver', chat.workerPid, 'http', 1, chatTarget('http')), chat.workerPid);
  cpuRuns.push({ server: 'Node-Media-Server', path: 'idle', streams: 0, ...(await cpuWindow(nms.pid, [], CPU_S)) });
  await stopProducers(await measureStreams('Node-Media-Server', nms.pid, 'rtmp', 1, nmsTarget), nms.pid);
  await stopProducers(await measureStreams('Node-Media-Server', nms.pid, 'rtmp', PRODUCERS, nmsTarget), nms.pid);

  // Fan-out in the worker that takes the producers (WORKERS=1: every room is on it).
  const receivers = await connectReceivers(chat, RECEIVERS);
  const fanoutPhase = async (phase: string) => {
    for (const shape of ['steady', 'burst'] as const) fanout.push({ phase, ...(await fanoutRound(chat, receivers, shape, LOAD)) });
  };
  await fanoutPhase('without producers');
  cpuRuns.push({ server: 'chatserver', path: 'idle', streams: -RECEIVERS, ...(await cpuWindow(chat.workerPid, [], CPU_S)) });
  const producers = await measureStreams('chatserver', chat.workerPid, 'rtmp', PRODUCERS, chatTarget('rtmp'));
  await fanoutPhase(`with ${PRODUCERS} RTMP producers`);
  await stopProducers(producers, chat.workerPid);
  if (!QUICK) await fanoutPhase('without producers, again');
  for (const client of receivers) client.close();
} finally {
  await nms.stop();
  await chat.stop();
  rmSync(work, { recursive: true, force: true });
}

// ---- report ----
const median = (list: number[]) => percentile(list, 50);
const startupOf = (server: StartupRun['server'], kind: Path) => startups.filter((run) => run.server === server && run.path === kind);
const startupRow = (label: string, runs: StartupRun[]) => ({
  publisher: label,
  'segment listed ms (median)': median(runs.map((r) => r.listedMs)),
  'segment fetched ms': median(runs.map((r) => r.fetchedMs)),
  'first frame ms': runs[0]?.firstFrameMs === null ? '' : median(runs.map((r) => r.firstFrameMs!)),
  'first frame max ms': runs[0]?.firstFrameMs === null ? '' : Math.max(...runs.map((r) => r.firstFrameMs!)),
  'glass-to-glass p50 ms': runs[0]?.firstFrameMs === null ? '' : median(runs.flatMap((r) => r.glassToGlassMs)),
  trials: runs.length,
});
const rtmp = startupOf('chatserver', 'rtmp');
const http = startupOf('chatserver', 'http');
const peer = startupOf('Node-Media-Server', 'rtmp');
console.log(`RTMP ingest (${HAS_TASKSET ? 'servers on core 0, publishers, browser and chat load on core 1' : 'unpinned'}); ffmpeg 720p30 x264 veryfast zerolatency -g 30 + AAC, -re`);
console.log('Publish start: ffmpeg spawned -> first segment listed / fetched -> first frame playing in the watch page (Chromium)');
console.table([startupRow('chatserver, RTMP', rtmp), startupRow('chatserver, HTTP push (mpegts)', http), startupRow('Node-Media-Server 2.7, RTMP (1 s segments)', peer)]);

console.log(`the publisher alone (into a pipe): first bytes after ${median(publisherStarts.map((p) => p.headerMs))} ms, first video tag after ${median(publisherStarts.map((p) => p.firstVideoMs))} ms (median)`);

const accept = (server: string) => acceptRuns.find((run) => run.server === server)!;
console.log(`Publish accept: connect -> onStatus NetStream.Publish.Start; ${ACCEPTS} one after another, then ${ACCEPTS} at once`);
console.table(acceptRuns.map((run) => ({ server: run.server, 'ack p50 ms': Number(median(run.sequentialMs).toFixed(2)), 'ack p99 ms': Number(percentile(run.sequentialMs, 99).toFixed(2)), 'accepted/s, all at once': Math.round(run.concurrentPerS), refused: run.refused })));

const idleOf = (server: string, streams: number) => cpuRuns.find((run) => run.server === server && run.path === 'idle' && run.streams === streams)!;
const perStream = (run: CpuRun) => {
  const idle = idleOf(run.server, run.server === 'chatserver' && run.streams > 1 ? -RECEIVERS : 0);
  return { server: (run.serverPercent - idle.serverPercent) / run.streams, ffmpeg: run.serverFfmpegPercent / run.streams, publisher: run.publishersPercent / run.streams };
};
console.log(`CPU per copied 720p30 stream, % of one core over ${CPU_S} s (server process net of its idle figure; its ffmpeg and the publisher apart)`);
console.table(cpuRuns.filter((run) => run.path !== 'idle').map((run) => {
  const each = perStream(run);
  return { server: run.server, ingest: run.path, streams: run.streams, 'server process %/stream': Number(each.server.toFixed(2)), 'server ffmpeg %/stream': Number(each.ffmpeg.toFixed(2)), 'publisher ffmpeg %/stream': Number(each.publisher.toFixed(2)) };
}));

const fanoutOf = (phase: string, shape: string) => fanout.find((run) => run.phase === phase && run.shape === shape)!;
console.log(`Chat fan-out in the same worker, ${RECEIVERS} receivers: without and with ${PRODUCERS} RTMP producers`);
console.table(fanout.map((run) => ({ phase: run.phase, shape: run.shape, delivered: `${run.delivered}/${run.expected}`, 'deliveries/s': run.deliveriesPerS, 'CPU µs/delivery': run.workerCpuUsPerDelivery.toFixed(2), 'p50 ms': run.p50Ms, 'p99 ms': run.p99Ms })));

const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : Number((a / b).toFixed(2)));
/**
 * CPU per delivery with the producers, less what the ingests cost the worker over the round (its
 * CPU with them and no chat, net of its idle figure with the receivers connected): the chat's own share.
 */
const netCpuPerDelivery = (run: FanoutRun) => {
  const ingestPercent = perStream(cpuRuns.find((r) => r.server === 'chatserver' && r.path === 'rtmp' && r.streams === PRODUCERS)!).server * PRODUCERS;
  return ((run.workerCpuMs - (ingestPercent / 100) * run.elapsedS * 1000) * 1000) / Math.max(1, run.delivered);
};
const rtmpCpu = cpuRuns.find((run) => run.server === 'chatserver' && run.path === 'rtmp' && run.streams === 1)!;
const rtmpCpuMany = cpuRuns.find((run) => run.server === 'chatserver' && run.path === 'rtmp' && run.streams === PRODUCERS)!;
const httpCpu = cpuRuns.find((run) => run.server === 'chatserver' && run.path === 'http')!;
const nmsCpu = cpuRuns.find((run) => run.server === 'Node-Media-Server' && run.streams === 1)!;
const nmsCpuMany = cpuRuns.find((run) => run.server === 'Node-Media-Server' && run.streams === PRODUCERS)!;
const ratios = {
  firstFrameMs: median(rtmp.map((r) => r.firstFrameMs!)),
  firstFrameTargetMs: 1500,
  listedRtmpVsHttp: ratio(median(rtmp.map((r) => r.listedMs)), median(http.map((r) => r.listedMs))),
  firstFrameRtmpVsHttp: ratio(median(rtmp.map((r) => r.firstFrameMs!)), median(http.map((r) => r.firstFrameMs!))),
  glassToGlassRtmpVsHttp: ratio(median(rtmp.flatMap((r) => r.glassToGlassMs)), median(http.flatMap((r) => r.glassToGlassMs))),
  listedVsNms: ratio(median(rtmp.map((r) => r.listedMs)), median(peer.map((r) => r.listedMs))),
  ackP50VsNms: ratio(median(accept('chatserver').sequentialMs), median(accept('Node-Media-Server').sequentialMs)),
  acceptRateVsNms: ratio(accept('chatserver').concurrentPerS, accept('Node-Media-Server').concurrentPerS),
  workerCpuPercentPerStream: Number(perStream(rtmpCpu).server.toFixed(2)),
  workerCpuPercentPerStreamMany: Number(perStream(rtmpCpuMany).server.toFixed(2)),
  workerCpuTargetPercent: 1,
  workerCpuRtmpVsHttp: ratio(perStream(rtmpCpu).server, perStream(httpCpu).server),
  processCpuVsNms: ratio(perStream(rtmpCpu).server, perStream(nmsCpu).server),
  processCpuVsNmsMany: ratio(perStream(rtmpCpuMany).server, perStream(nmsCpuMany).server),
  ffmpegCpuVsNms: ratio(perStream(rtmpCpuMany).ffmpeg, perStream(nmsCpuMany).ffmpeg),
  fanoutWithVsWithout: (['steady', 'burst'] as const).map((shape) => {
    const without = fanoutOf('without producers', shape);
    const withProducers = fanoutOf(`with ${PRODUCERS} RTMP producers`, shape);
    return {
      shape,
      deliveriesPerS: ratio(withProducers.deliveriesPerS, without.deliveriesPerS),
      p50: ratio(withProducers.p50Ms, without.p50Ms),
      p99: ratio(withProducers.p99Ms, without.p99Ms),
      cpuPerDelivery: ratio(withProducers.workerCpuUsPerDelivery, without.workerCpuUsPerDelivery),
      cpuPerDeliveryNetOfIngest: ratio(netCpuPerDelivery(withProducers), without.workerCpuUsPerDelivery),
    };
  }),
};
console.log(`first frame playing after an RTMP publish starts: ${ratios.firstFrameMs} ms median (target <= ${ratios.firstFrameTargetMs} ms); RTMP = ${ratios.firstFrameRtmpVsHttp}x the HTTP push`);
console.log(`glass to glass p50: RTMP = ${ratios.glassToGlassRtmpVsHttp}x the HTTP push; first segment listed: RTMP = ${ratios.listedRtmpVsHttp}x HTTP, ${ratios.listedVsNms}x Node-Media-Server`);
console.log(`publish accept: ack p50 = ${ratios.ackP50VsNms}x Node-Media-Server, accepted/s at once = ${ratios.acceptRateVsNms}x`);
console.log(`worker CPU per RTMP stream: ${ratios.workerCpuPercentPerStream}% of a core (1 stream), ${ratios.workerCpuPercentPerStreamMany}% (${PRODUCERS}) (target <= 1%); = ${ratios.workerCpuRtmpVsHttp}x the HTTP push, ${ratios.processCpuVsNms}x Node-Media-Server's process (${ratios.processCpuVsNmsMany}x with ${PRODUCERS}), ffmpeg ${ratios.ffmpegCpuVsNms}x its ffmpeg`);
/** A ratio whose base was too small to measure (a quick run's CPU time) reads "n/a", not NaN. */
const shown = (value: number) => (Number.isFinite(value) ? `${value}x` : 'n/a (too short to measure)');
for (const r of ratios.fanoutWithVsWithout) console.log(`fan-out ${r.shape} with ${PRODUCERS} producers / without: deliveries/s ${shown(r.deliveriesPerS)}, p50 ${shown(r.p50)}, p99 ${shown(r.p99)}, CPU per delivery ${shown(r.cpuPerDelivery)} (${shown(r.cpuPerDeliveryNetOfIngest)} net of the ingests' own CPU)`);

writeResults('rtmp', { trials: TRIALS, watchSeconds: WATCH_S, producers: PRODUCERS, cpuSeconds: CPU_S, accepts: ACCEPTS, receivers: RECEIVERS, load: LOAD, startups, publisherStarts, acceptRuns, cpuRuns, fanout, ratios });
writeChart(
  'rtmp',
  {
    title: 'RTMP ingest: publish start',
    subtitle: 'seconds from ffmpeg (720p30 x264, 1 s keyframes) starting to publish; lower is better',
    groups: [
      { label: 'first segment listed', bars: [{ series: 'chatserver, RTMP', value: median(rtmp.map((r) => r.listedMs)) / 1000 }, { series: 'chatserver, HTTP push', value: median(http.map((r) => r.listedMs)) / 1000 }, { series: 'Node-Media-Server', value: median(peer.map((r) => r.listedMs)) / 1000 }] },
      { label: 'first frame in the watch page', bars: [{ series: 'chatserver, RTMP', value: ratios.firstFrameMs / 1000 }, { series: 'chatserver, HTTP push', value: median(http.map((r) => r.firstFrameMs!)) / 1000 }] },
      { label: 'glass to glass, p50', bars: [{ series: 'chatserver, RTMP', value: median(rtmp.flatMap((r) => r.glassToGlassMs)) / 1000 }, { series: 'chatserver, HTTP push', value: median(http.flatMap((r) => r.glassToGlassMs)) / 1000 }] },
    ],
    format: (v) => `${v.toFixed(2)} s`,
  },
  QUICK,
);
