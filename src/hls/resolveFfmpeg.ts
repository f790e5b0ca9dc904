import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_ENV } from './ffmpegEnv.js';
import { ffmpegRecency, isCurrentFfmpeg, parseFfmpegVersion, type FfmpegVersion } from './ffmpegVersion.js';

const run = promisify(execFile);

export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg';

export interface FfmpegBinary {
  readonly path: string;
  /** Where it came from, for the log. */
  readonly source: FfmpegSource;
  /** null only for an FFMPEG_PATH whose `-version` we could not read (the operator's choice stands). */
  readonly version: FfmpegVersion | null;
  /** False: older than CURRENT_FFMPEG_MAJOR (the log warns). */
  readonly current: boolean;
}

/** One place ffmpeg may be, and what `-version` said there. */
export interface FfmpegCandidate {
  readonly source: FfmpegSource;
  /** null: nothing there (package not installed, no `ffmpeg` on PATH). */
  readonly path: string | null;
  readonly version: FfmpegVersion | null;
  /** Why it cannot be used, when it cannot. */
  readonly problem: string | null;
}

export class FfmpegNotFoundError extends Error {
  constructor(tried: readonly string[]) {
    super(`No ffmpeg binary found (tried ${tried.join('; ')}). Install ffmpeg (e.g. apt-get install ffmpeg) or set FFMPEG_PATH.`);
    this.name = 'FfmpegNotFoundError';
  }
}

export interface ResolveOptions {
  /** FFMPEG_PATH, when set: used as is, and an error when it is not an executable file. */
  readonly configured: string | undefined;
  /** The PATH to search. */
  readonly searchPath: string | undefined;
}

/**
 * The resolution order (README, "Broadcast"), pure over probed candidates (see probeCandidates):
 * FFMPEG_PATH when set (nothing else is tried); else the first current ffmpeg in the order PATH,
 * ffmpeg-static, @ffmpeg-installer/ffmpeg; else the least old one found (`current` false).
 */
export function chooseFfmpeg(candidates: readonly FfmpegCandidate[]): FfmpegBinary {
  const configured = candidates.find((candidate) => candidate.source === 'FFMPEG_PATH');
  if (configured) {
    if (configured.path === null || configured.problem !== null) throw new FfmpegNotFoundError([describe(configured)]);
    return { path: configured.path, source: configured.source, version: configured.version, current: configured.version !== null && isCurrentFfmpeg(configured.version) };
  }
  const usable = candidates.filter((candidate): candidate is FfmpegCandidate & { path: string; version: FfmpegVersion } => candidate.path !== null && candidate.version !== null && candidate.problem === null);
  const current = usable.find((candidate) => isCurrentFfmpeg(candidate.version));
  // Array.sort is stable: among equally old ones the earlier in the order wins.
  const chosen = current ?? [...usable].sort((a, b) => ffmpegRecency(b.version) - ffmpegRecency(a.version))[0];
  if (!chosen) throw new FfmpegNotFoundError(candidates.map(describe));
  return { path: chosen.path, source: chosen.source, version: chosen.version, current: current !== undefined };
}

/** Finds and probes every candidate, in that order. */
export async function resolveFfmpeg(options: ResolveOptions): Promise<FfmpegBinary> {
  return chooseFfmpeg(await probeCandidates(options));
}

export async function probeCandidates(options: ResolveOptions): Promise<FfmpegCandidate[]> {
  if (options.configured !== undefined) return [await probe('FFMPEG_PATH', options.configured)];
  const onPath = await findOnPath(options.searchPath);
  return Promise.all([
    probe('PATH', onPath),
    ...PACKAGES.map(async ([source, read]) => probe(source, await packagePath(source, read))),
  ]);
}

/** Runs `<file> -version` with ffmpeg's minimal environment. */
export async function probe(source: FfmpegSource, file: string | null): Promise<FfmpegCandidate> {
  if (file === null) return { source, path: null, version: null, problem: 'not found' };
  if (!(await isExecutable(file))) return { source, path: file, version: null, problem: 'not an executable file' };
  try {
    const { stdout } = await run(file, ['-version'], { env: { ...FFMPEG_ENV }, timeout: 10_000 });
    const version = parseFfmpegVersion(stdout);
    return { source, path: file, version, problem: version === null && source !== 'FFMPEG_PATH' ? 'not ffmpeg (no version line)' : null };
  } catch (error) {
    return { source, path: file, version: null, problem: `-version failed: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}` };
  }
}

function describe(candidate: FfmpegCandidate): string {
  const where = candidate.source === 'FFMPEG_PATH' ? `FFMPEG_PATH=${candidate.path}` : candidate.path === null ? candidate.source : `${candidate.source} (${candidate.path})`;
  return candidate.problem === null ? where : `${where}: ${candidate.problem}`;
}

async function findOnPath(searchPath: string | undefined): Promise<string | null> {
  for (const dir of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'ffmpeg');
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

type PathReader = (exported: unknown) => unknown;

const PACKAGES: ReadonlyArray<readonly [FfmpegSource, PathReader]> = [
  // ffmpeg-static exports the binary's path (null on an unsupported platform).
  ['ffmpeg-static', (exported) => exported],
  // @ffmpeg-installer/ffmpeg exports { path, version, url }.
  ['@ffmpeg-installer/ffmpeg', (exported) => (typeof exported === 'object' && exported !== null ? (exported as { path?: unknown }).path : undefined)],
];

async function packagePath(specifier: string, read: PathReader): Promise<string | null> {
  try {
    const loaded = (await import(specifier)) as { default?: unknown };
    const value = read(loaded.default);
    return typeof value === 'string' && value.length > 0 ? value : null;
  } catch {
    return null;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
