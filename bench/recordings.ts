/**
 * Recording availability (issue 17's target: a recording's VOD playlist is available <= 1 s after
 * the producer stops). An `ffmpeg -re` push of a 360p25 H.264 test pattern over HTTP to a room's
 * /ingest, ended two ways, in a fresh room each run:
 *  - ended: ffmpeg reaches the end of its input and closes its request body (a producer that
 *    stops), timed from ffmpeg's exit;
 *  - killed: ffmpeg is killed mid-stream (SIGKILL: the connection drops), timed from the kill.
 * Then, polled every 10 ms: when the public API lists the recording with `endedAt`, and when
 * its `/recordings/<id>/index.m3u8` on the room port has `#EXT-X-ENDLIST`.
 *
 *   npm run bench:recordings -- [--runs 5] [--quick]   (quick: 2 runs of each)
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { testFfmpeg } from '../test/helpers/media.js';
import { ServerProcess } from '../test/helpers/ServerProcess.js';
import { percentile } from './lib/processes.js';
import { writeResults } from './lib/report.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, quick: { type: 'boolean', default: false } } });
const RUNS = values.quick ? 2 : Number(values.runs);
const PUSH_S = 4;
const POLL_MS = 10;
const GIVE_UP_MS = 30_000;
const TARGET_MS = 1000;

type Ending = 'ended' | 'killed';

interface Availability {
  readonly ending: Ending;
  /** Producer stopped -> the API lists the recording with endedAt. */
  readonly listedEndedMs: number;
  /** Producer stopped -> its VOD playlist has ENDLIST. */
  readonly vodMs: number;
  readonly durationS: number;
  readonly bytes: number;
}

interface RecordingView {
  readonly id: string;
  readonly endedAt: number | null;
  readonly duration: number;
  readonly bytes: number;
  readonly url: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function hasEndlist(url: string): Promise<boolean> {
  const response = await fetch(url).catch(() => null);
  return response !== null && response.ok && (await response.text()).includes('#EXT-X-ENDLIST');
}

async function measure(server: ServerProcess, ffmpeg: string, room: string, ending: Ending): Promise<Availability> {
  const port = (await server.createRoom(room)).body.data.port as number;
  const ingest = `http://127.0.0.1:${port}/ingest?token=${await server.token(room, 'bench', 'producer')}`;
  const producer = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-t', String(PUSH_S),
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'mpegts', ingest], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => producer.once('exit', () => resolve()));
  await server.waitForLog((line) => line.msg === 'stream live' && line.room === room, 30_000);
  if (ending === 'killed') {
    // Mid-segment, well before the input ends.
    await sleep(1_500);
    producer.kill('SIGKILL');
  }
  await exited;
  const stoppedAt = performance.now();
  let listed: { at: number; recording: RecordingView } | undefined;
  while (performance.now() - stoppedAt < GIVE_UP_MS) {
    if (!listed) {
      const recording = ((await server.api('GET', `/api/v1/room/${room}/recordings`)).body.data as RecordingView[] | undefined)?.[0];
      if (recording?.endedAt) listed = { at: performance.now(), recording };
    }
    if (listed && (await hasEndlist(listed.recording.url))) {
      return { ending, listedEndedMs: Math.round(listed.at - stoppedAt), vodMs: Math.round(performance.now() - stoppedAt), durationS: listed.recording.duration, bytes: listed.recording.bytes };
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${room}: no finished recording within ${GIVE_UP_MS} ms of the producer's stop`);
}

const ffmpeg = await testFfmpeg();
const server = await ServerProcess.start({ workers: 1, roomPortCount: RUNS * 2 + 2 });
const runs: Availability[] = [];
/** A push that never went live (or a recording that never finished) is a finding: counted, reported, the other runs go on. */
const failures: string[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const ending of ['ended', 'killed'] as const) {
      try {
        runs.push(await measure(server, ffmpeg, `rec-${ending}-${run}`, ending));
      } catch (error) {
        failures.push(`rec-${ending}-${run}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  }
} finally {
  await server.dispose();
}

console.log(`Recording availability: ${PUSH_S} s pushes (LL-HLS, the default), ${RUNS} runs per ending, polled every ${POLL_MS} ms`);
const table = (['ended', 'killed'] as const).map((ending) => {
  const mine = runs.filter((run) => run.ending === ending);
  return {
    producer: ending === 'ended' ? 'ends its push' : 'killed mid-stream',
    'API shows endedAt, each ms': mine.map((run) => run.listedEndedMs).join(' '),
    'VOD playlist has ENDLIST, each ms': mine.map((run) => run.vodMs).join(' '),
    'VOD p50 ms': percentile(mine.map((run) => run.vodMs), 50),
    'VOD max ms': Math.max(...mine.map((run) => run.vodMs)),
  };
});
console.table(table);
console.log(`runs that failed: ${failures.length === 0 ? 'none' : `\n  ${failures.join('\n  ')}`}`);
const worst = Math.max(...runs.filter((run) => run.ending === 'ended').map((run) => run.vodMs));
console.log(`issue 17 target (VOD playlist <= ${TARGET_MS} ms after the producer stops): ${worst <= TARGET_MS ? 'met' : 'NOT met'} (worst ${worst} ms)`);
writeResults('recordings', { runs: RUNS, failures, pushSeconds: PUSH_S, pollMs: POLL_MS, table, availability: runs });
