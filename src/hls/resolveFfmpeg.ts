import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

export interface FfmpegBinary {
  readonly path: string;
  /** Where it came from, for the log: FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer/ffmpeg or PATH. */
  readonly source: string;
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
  /** The PATH to search last. */
  readonly searchPath: string | undefined;
}

/**
 * DESIGN.md's resolution order: FFMPEG_PATH -> ffmpeg-static -> @ffmpeg-installer/ffmpeg ->
 * `ffmpeg` on PATH. The optional packages may be absent (their install can fail offline), and
 * a candidate counts only if it is an executable file.
 */
export async function resolveFfmpeg(options: ResolveOptions): Promise<FfmpegBinary> {
  const tried: string[] = [];
  if (options.configured !== undefined) {
    if (await isExecutable(options.configured)) return { path: options.configured, source: 'FFMPEG_PATH' };
    throw new FfmpegNotFoundError([`FFMPEG_PATH=${options.configured} (not an executable file)`]);
  }
  for (const [source, read] of PACKAGES) {
    const candidate = await packagePath(source, read);
    if (candidate && (await isExecutable(candidate))) return { path: candidate, source };
    tried.push(candidate ? `${source} (${candidate} is not executable)` : `${source} (not installed)`);
  }
  for (const dir of (options.searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'ffmpeg');
    if (await isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  tried.push('ffmpeg on PATH');
  throw new FfmpegNotFoundError(tried);
}

type PathReader = (exported: unknown) => unknown;

const PACKAGES: ReadonlyArray<readonly [string, PathReader]> = [
  // ffmpeg-static exports the binary's path (null on an unsupported platform).
  ['ffmpeg-static', (exported) => exported],
  // @ffmpeg-installer/ffmpeg exports { path, version, url }.
  ['@ffmpeg-installer/ffmpeg', (exported) => (typeof exported === 'object' && exported !== null ? (exported as { path?: unknown }).path : undefined)],
];

async function packagePath(specifier: string, read: PathReader): Promise<string | undefined> {
  try {
    const loaded = (await import(specifier)) as { default?: unknown };
    const value = read(loaded.default);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined;
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
