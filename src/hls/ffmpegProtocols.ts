import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FFMPEG_ENV } from './ffmpegEnv.js';
import type { FfmpegBinary } from './resolveFfmpeg.js';

const run = promisify(execFile);

/**
 * The input protocols `ffmpeg -protocols` lists (pure): the names between its `Input:` and
 * `Output:` lines. A build without libsrt (the static ffmpeg 4.1 of the npm packages) has no `srt`.
 */
export function parseInputProtocols(output: string): Set<string> {
  const names = new Set<string>();
  let reading = false;
  for (const line of output.split('\n')) {
    const word = line.trim();
    if (word === 'Input:') reading = true;
    else if (word === 'Output:') reading = false;
    else if (reading && /^[a-z0-9_]+$/.test(word)) names.add(word);
  }
  return names;
}

/** Runs `<binary> -protocols` (with ffmpeg's minimal environment) and reads its input protocols. */
export async function probeInputProtocols(binary: string): Promise<Set<string>> {
  const { stdout } = await run(binary, ['-hide_banner', '-protocols'], { env: { ...FFMPEG_ENV }, timeout: 10_000 });
  return parseInputProtocols(stdout);
}

/** Whether SRT ingest can work with a binary, and why not when it cannot. */
export type SrtSupport = { readonly available: true } | { readonly available: false; readonly reason: string };

export async function probeSrtSupport(binary: Pick<FfmpegBinary, 'path' | 'version'>): Promise<SrtSupport> {
  const named = `ffmpeg ${binary.version?.text ?? '(unknown version)'} at ${binary.path}`;
  try {
    if ((await probeInputProtocols(binary.path)).has('srt')) return { available: true };
    return { available: false, reason: `${named} has no srt protocol (built without libsrt): install an ffmpeg with SRT (e.g. Debian's) or point FFMPEG_PATH at one` };
  } catch (error) {
    return { available: false, reason: `${named} did not list its protocols: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}` };
  }
}
