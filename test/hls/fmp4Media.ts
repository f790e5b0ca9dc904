import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Fmp4Splitter, type Fragment } from '../../src/hls/fmp4/Fmp4Splitter.js';
import type { InitSegment } from '../../src/hls/fmp4/initSegment.js';
import { FFPROBE, testFfmpeg } from '../helpers/media.js';

const run = promisify(execFile);

/** The muxer options the packager gives ffmpeg (docs/fmp4.md). */
export const FMP4_OUTPUT = ['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '200000', '-flush_packets', '1'];

export interface Fmp4Recipe {
  readonly video?: { readonly fps: number; readonly gop: number };
  readonly audio?: boolean;
  readonly seconds: number;
  /** HEVC (tagged hvc1) and Opus instead of H.264 and AAC. */
  readonly hevcOpus?: boolean;
}

const cache = new Map<string, Promise<Buffer>>();

/** A fragmented MP4 as ffmpeg writes it to a pipe for the packager: H.264 (B-frames included) and/or AAC. */
export function fmp4Sample(recipe: Fmp4Recipe): Promise<Buffer> {
  const key = JSON.stringify(recipe);
  let made = cache.get(key);
  if (!made) {
    const args = ['-hide_banner', '-loglevel', 'error'];
    if (recipe.video) args.push('-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=${recipe.video.fps}`);
    if (recipe.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
    args.push('-t', String(recipe.seconds));
    const video = recipe.hevcOpus ? ['libx265', '-x265-params', 'log-level=none', '-tag:v', 'hvc1'] : ['libx264'];
    if (recipe.video) args.push('-c:v', ...video, '-preset', 'veryfast', '-g', String(recipe.video.gop), '-pix_fmt', 'yuv420p');
    if (recipe.audio) args.push('-c:a', recipe.hevcOpus ? 'libopus' : 'aac');
    made = testFfmpeg().then(async (ffmpeg) => (await run(ffmpeg, [...args, ...FMP4_OUTPUT, 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })).stdout);
    cache.set(key, made);
  }
  return made;
}

/**
 * ffmpeg copying an MPEG-TS (H.264 + ADTS AAC) into fragmented MP4, as the packager does for a
 * producer's H.264/AAC; `extraFlags` are added to the movflags (e.g. '+delay_moov').
 */
export async function fmp4Copy(ts: Buffer, extraFlags: string): Promise<Buffer> {
  const ffmpeg = await testFfmpeg();
  const output = FMP4_OUTPUT.map((arg, i) => (FMP4_OUTPUT[i - 1] === '-movflags' ? `${arg}${extraFlags}` : arg));
  const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', ...output, 'pipe:1']);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.resume();
  child.stdin.end(ts);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ffmpeg exited with ${code}`);
  return Buffer.concat(chunks);
}

export type SplitEvent = { readonly init: InitSegment } | { readonly fragment: Fragment } | { readonly error: Error };

/** Everything a splitter says about `bytes` pushed in pieces of the given sizes (repeated), and what end() reports. */
export function split(bytes: Buffer, sizes: readonly number[] = [bytes.length], options?: { maxBoxBytes?: number }): { events: SplitEvent[]; discarded: number } {
  const splitter = new Fmp4Splitter(options);
  const events: SplitEvent[] = [];
  splitter.on('init', (init) => events.push({ init }));
  splitter.on('fragment', (fragment) => events.push({ fragment }));
  splitter.on('error', (error) => events.push({ error }));
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    splitter.push(bytes.subarray(at, at + size));
    at += size;
  }
  return { events, discarded: splitter.end().discarded };
}

/** The init and fragments of a stream that must split cleanly. */
export function splitClean(bytes: Buffer): { init: InitSegment; fragments: Fragment[] } {
  const { events, discarded } = split(bytes);
  const errors = events.flatMap((event) => ('error' in event ? [event.error] : []));
  if (errors.length > 0 || discarded !== 0) throw new Error(`Split failed: ${errors.map((e) => e.message).join('; ')}, ${discarded} bytes discarded`);
  const inits = events.flatMap((event) => ('init' in event ? [event.init] : []));
  if (inits.length !== 1) throw new Error(`${inits.length} init events`);
  return { init: inits[0]!, fragments: events.flatMap((event) => ('fragment' in event ? [event.fragment] : [])) };
}

/** ffprobe's answer (JSON) about bytes written to a temporary file. */
export async function ffprobeJson<T>(bytes: Buffer, args: readonly string[]): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fmp4-'));
  try {
    const file = path.join(dir, 'media.mp4');
    await writeFile(file, bytes);
    const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', ...args, file], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
