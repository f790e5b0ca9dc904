import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Logger } from '../../kit/createLogger.js';
import { FFMPEG_ENV } from '../ffmpegEnv.js';
import { posterFrameArgs, type PosterInput } from './posterFrameArgs.js';

/** A poster frame ffmpeg that has not answered in this long is killed: its thumbnail is skipped. */
export const POSTER_TIMEOUT_MS = 5_000;
/** A JPEG larger than this is not a thumbnail: it is dropped. */
export const POSTER_MAX_BYTES = 2 * 1024 * 1024;
/** The lowest scheduling priority: the rooms' own ffmpegs and the event loop come first. */
const NICENESS = 19;

/**
 * Takes poster frames for every room of a worker with short-lived ffmpegs, one at a time: a
 * room that asks while another frame is being taken is skipped (it asks again at its next
 * segment), so thumbnails never cost more than one low-priority ffmpeg per worker.
 */
export class PosterFrameTaker {
  readonly #logger: Logger;
  readonly #width: number;
  #busy = false;

  constructor(width: number, logger: Logger) {
    this.#width = width;
    this.#logger = logger.child({ component: 'thumbnails' });
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** The JPEG, or null when skipped (busy) or when ffmpeg could not make one. */
  async take(binary: string, input: PosterInput): Promise<Buffer | null> {
    if (this.#busy) return null;
    this.#busy = true;
    try {
      return await this.#run(binary, input);
    } finally {
      this.#busy = false;
    }
  }

  #run(binary: string, input: PosterInput): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const child = spawn(binary, posterFrameArgs(input.format, this.#width), {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...FFMPEG_ENV },
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let problem: string | null = null;
      const stderr: string[] = [];
      const timer = setTimeout(() => {
        problem = `no frame within ${POSTER_TIMEOUT_MS} ms`;
        child.kill('SIGKILL');
      }, POSTER_TIMEOUT_MS);
      timer.unref();
      if (child.pid !== undefined) {
        try {
          os.setPriority(child.pid, NICENESS);
        } catch {
          // Not allowed here (a container without the capability): it runs at normal priority.
        }
      }
      child.stdout!.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > POSTER_MAX_BYTES) {
          problem = `the frame passed ${POSTER_MAX_BYTES} bytes`;
          child.kill('SIGKILL');
        } else chunks.push(chunk);
      });
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        if (stderr.length < 5) stderr.push(text.trim());
      });
      child.on('error', (error) => (problem ??= error.message));
      // ffmpeg stops reading once it has its frame: the rest of the segment is not its business.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input.bytes);
      child.on('close', (code) => {
        clearTimeout(timer);
        const jpeg = Buffer.concat(chunks);
        if (problem === null && code === 0 && jpeg.length > 0) return resolve(jpeg);
        this.#logger.warn({ problem: problem ?? `ffmpeg exited with ${code}`, ffmpeg: stderr.join(' | ') || undefined }, 'poster frame not taken');
        resolve(null);
      });
    });
  }
}
