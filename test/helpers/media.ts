import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../src/hls/resolveFfmpeg.js';

const run = promisify(execFile);

/** The ffmpeg the server itself would use (same resolution order), for making test media. */
export async function testFfmpeg(): Promise<string> {
  return (await resolveFfmpeg({ configured: process.env.FFMPEG_PATH, searchPath: process.env.PATH })).path;
}

/** ffprobe comes with Debian's ffmpeg package (.ci/run installs it); the npm binaries lack it. */
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

export type SampleKind = 'ts-h264-aac' | 'flv-h264-aac' | 'webm-vp8-opus' | 'mkv-h264-opus' | 'ts-mpeg2-mp2' | 'ts-h264-only';

const VIDEO = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'];
const AUDIO = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p'];

const RECIPES: Record<SampleKind, string[]> = {
  'ts-h264-aac': [...VIDEO, ...AUDIO, ...X264, '-c:a', 'aac', '-f', 'mpegts'],
  'flv-h264-aac': [...VIDEO, ...AUDIO, ...X264, '-c:a', 'aac', '-f', 'flv'],
  'webm-vp8-opus': [...VIDEO, ...AUDIO, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '25', '-c:a', 'libopus', '-f', 'webm'],
  'mkv-h264-opus': [...VIDEO, ...AUDIO, ...X264, '-c:a', 'libopus', '-f', 'matroska'],
  'ts-mpeg2-mp2': [...VIDEO, ...AUDIO, '-c:v', 'mpeg2video', '-c:a', 'mp2', '-f', 'mpegts'],
  'ts-h264-only': [...VIDEO, ...X264, '-f', 'mpegts'],
};

const cache = new Map<string, Promise<Buffer>>();

/** `seconds` of a test pattern (and a tone) in the given container and codecs, in memory. */
export function sampleMedia(kind: SampleKind, seconds = 3): Promise<Buffer> {
  const key = `${kind}:${seconds}`;
  let made = cache.get(key);
  if (!made) {
    made = (async () => {
      const ffmpeg = await testFfmpeg();
      const { stdout } = await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', ...RECIPES[kind].slice(0, -2), '-t', String(seconds), ...RECIPES[kind].slice(-2), 'pipe:1'], {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout;
    })();
    cache.set(key, made);
  }
  return made;
}

export interface ProbeResult {
  readonly streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
  readonly format: { format_name: string; duration?: string };
}

/** ffprobe's view of a file or URL: it fails (rejects) on anything it cannot read as media. */
export async function probe(target: string): Promise<ProbeResult> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', target]);
  return JSON.parse(stdout) as ProbeResult;
}

export interface ProbedPacket {
  readonly codec_type: string;
  readonly pts_time: number;
  readonly keyframe: boolean;
}

/** Every packet of a file or URL with its track's type, time and keyframe flag (ffprobe -show_packets). */
export async function probePackets(target: string): Promise<ProbedPacket[]> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_entries', 'packet=stream_index,pts_time,flags:stream=index,codec_type', target], { maxBuffer: 64 * 1024 * 1024 });
  const parsed = JSON.parse(stdout) as { packets?: Array<{ stream_index: number; pts_time?: string; flags?: string }>; streams?: Array<{ index: number; codec_type: string }> };
  const types = new Map((parsed.streams ?? []).map((stream) => [stream.index, stream.codec_type]));
  return (parsed.packets ?? []).map((packet) => ({ codec_type: types.get(packet.stream_index) ?? 'unknown', pts_time: Number(packet.pts_time), keyframe: (packet.flags ?? '').startsWith('K') }));
}

/**
 * Pushes a live test pattern at real time (`-re`) to an ingest URL as the README shows,
 * `ffmpeg -re ... -f mpegts http://host:port/ingest?token=...`. Resolves with ffmpeg's exit code.
 */
export async function pushTestPattern(url: string, seconds: number, format: 'mpegts' | 'flv' = 'mpegts'): Promise<{ code: number | null; stderr: string }> {
  return (await startTestPattern(url, seconds, format)).done;
}

/** A live test-pattern publisher a test can kill (a dropped connection); `gop` frames per keyframe at 25 fps. */
export interface TestPublisher {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stderr: string }>;
}

export async function startTestPattern(url: string, seconds: number, format: 'mpegts' | 'flv' = 'mpegts', gop = 25): Promise<TestPublisher> {
  const ffmpeg = await testFfmpeg();
  const x264 = X264.map((arg, i) => (X264[i - 1] === '-g' ? String(gop) : arg));
  const args = ['-hide_banner', '-loglevel', 'error', '-re', ...VIDEO, '-re', ...AUDIO, ...x264, '-c:a', 'aac', '-t', String(seconds), '-f', format, url];
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}

/**
 * An HTTP push whose answer the test reads (ffmpeg does not show it): ffmpeg makes a live
 * MPEG-TS test pattern on its stdout, streamed as a chunked POST body to `/ingest`. `drop()`
 * cuts the connection mid-body (a dropped producer); otherwise the body ends with the pattern.
 */
export async function livePush(port: number, token: string, seconds: number): Promise<{ answer: Promise<{ status: number; body: string }>; drop(): void }> {
  const { child } = await startTestPattern('pipe:1', seconds, 'mpegts');
  const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/ingest?token=${encodeURIComponent(token)}` });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      child.kill('SIGKILL');
    });
    request.on('error', (error) => {
      child.kill('SIGKILL');
      reject(error);
    });
  });
  child.stdout!.pipe(request);
  return {
    answer,
    drop: () => {
      child.kill('SIGKILL');
      request.destroy();
    },
  };
}

/** ffmpeg's test pattern with the given input and output options, made in memory. */
export async function makeMedia(input: string[], output: string[]): Promise<Buffer> {
  const { stdout } = await run(await testFfmpeg(), ['-hide_banner', '-loglevel', 'error', ...input, ...output, 'pipe:1'], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}
