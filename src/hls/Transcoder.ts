import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Logger } from '../kit/createLogger.js';
import { FFMPEG_ENV } from './ffmpegEnv.js';
import { buildFfmpegArgs, type TranscodePlan } from './ffmpegArgs.js';
import type { OutputSink, TranscoderOutput } from './output/TranscoderOutput.js';

export type TranscoderState = 'starting' | 'live' | 'ended' | 'died';

export interface SegmentReady {
  readonly uri: string;
  readonly duration: number;
  /** When the playlist first listed it. */
  readonly listedAt: number;
  /**
   * listedAt minus the moment the segment's last frame reached ffmpeg, assuming the producer
   * sends in real time (a live source does): the pipeline's own delay.
   */
  readonly lagMs: number;
}

export interface TranscoderExit {
  /** ffmpeg finished because its input ended (the producer stopped), not by a crash or a kill. */
  readonly clean: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** ffmpeg's last error lines, or why we stopped it. */
  readonly error: string | null;
  readonly segments: number;
}

export interface TranscoderEvents {
  live: [];
  /** A segment of the source rendition is listed (complete). */
  segment: [SegmentReady];
  /** A segment of any rendition is listed: it is complete and may be served. */
  listed: [uri: string];
  drain: [];
  /** A file in the output folder changed (written, renamed in, deleted). */
  file: [name: string];
  exit: [TranscoderExit];
}

export interface TranscoderOptions {
  readonly binary: string;
  readonly plan: TranscodePlan;
  readonly logger: Logger;
  /** A stream that lists no segment this long after it starts is stopped as broken. */
  readonly firstSegmentTimeoutMs: number;
  /** After stdin ends, how long ffmpeg may take to finish before it is killed. */
  readonly finishTimeoutMs: number;
  /** Where ffmpeg's HLS goes and how its segments are learnt (classic folder, or LL pipes). */
  readonly output: TranscoderOutput;
}

const STDERR_LOG_LINES = 40;
const ERROR_TAIL_LINES = 3;

/**
 * One ffmpeg process turning one producer's bytes into HLS, supervised in mediasoup's manner:
 * its stderr goes to the logger line by line, a crash before the first segment ("starting")
 * and after it ("live") are told apart, and it never outlives `kill()` or its input.
 */
export class Transcoder extends EventEmitter<TranscoderEvents> {
  readonly plan: TranscodePlan;
  readonly #options: TranscoderOptions;
  readonly #logger: Logger;
  readonly #child: ChildProcess;
  readonly #errorTail: string[] = [];
  readonly #output: TranscoderOutput;
  #segments = 0;
  #state: TranscoderState = 'starting';
  #firstByteAt = 0;
  #mediaSeconds = 0;
  #stderrLines = 0;
  #stopReason: string | null = null;
  #inputEnded = false;
  #killTimer: NodeJS.Timeout | undefined;
  readonly #startTimer: NodeJS.Timeout;

  constructor(options: TranscoderOptions) {
    super();
    this.plan = options.plan;
    this.#options = options;
    this.#output = options.output;
    this.#logger = options.logger.child({ component: 'ffmpeg', stream: options.plan.streamId });
    const args = buildFfmpegArgs(options.plan);
    this.#child = spawn(options.binary, args, { stdio: options.output.stdio, env: { ...FFMPEG_ENV } });
    this.#logger.info({ pid: this.#child.pid, args }, 'ffmpeg started');
    this.#child.stdin!.on('error', (error) => this.#logger.debug({ err: error }, 'ffmpeg stdin closed'));
    this.#child.stdin!.on('drain', () => this.emit('drain'));
    this.#child.on('error', (error) => {
      this.#stopReason ??= `ffmpeg could not start: ${error.message}`;
      this.#logger.error({ err: error }, 'ffmpeg could not start');
    });
    this.#child.on('close', (code, signal) => void this.#exited(code, signal));
    createInterface({ input: this.#child.stderr! }).on('line', (line) => this.#stderr(line));
    this.#startTimer = setTimeout(() => this.kill(`ffmpeg listed no segment within ${options.firstSegmentTimeoutMs / 1000} s: the stream has no decodable media`), options.firstSegmentTimeoutMs);
    this.#output.attach(this.#child, this.#sink());
  }

  get state(): TranscoderState {
    return this.#state;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Feeds producer bytes; false means ffmpeg's input is full: wait for 'drain'. */
  write(chunk: Buffer): boolean {
    if (this.#inputEnded || this.#state === 'ended' || this.#state === 'died') return true;
    if (this.#firstByteAt === 0) this.#firstByteAt = Date.now();
    return this.#child.stdin!.write(chunk);
  }

  /** The producer stopped: ffmpeg finishes the last segment (the stream's owner closes the playlists). */
  end(): void {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    this.#child.stdin!.end();
    this.#armKill(this.#options.finishTimeoutMs, 'ffmpeg did not finish in time after its input ended');
  }

  /** Stops ffmpeg now (SIGTERM, then SIGKILL). Safe to call twice. */
  kill(reason: string): void {
    if (this.#state === 'ended' || this.#state === 'died') return;
    this.#stopReason ??= reason;
    this.#inputEnded = true;
    this.#child.stdin!.destroy();
    this.#child.kill('SIGTERM');
    this.#armKill(2_000, reason);
  }

  #armKill(afterMs: number, reason: string): void {
    if (this.#killTimer) return;
    this.#killTimer = setTimeout(() => {
      this.#stopReason ??= reason;
      this.#logger.warn({ pid: this.#child.pid }, reason);
      this.#child.kill('SIGKILL');
    }, afterMs);
  }

  #stderr(line: string): void {
    this.#errorTail.push(line);
    if (this.#errorTail.length > ERROR_TAIL_LINES) this.#errorTail.shift();
    this.#stderrLines += 1;
    if (this.#stderrLines <= STDERR_LOG_LINES) this.#logger.warn({ ffmpeg: line }, 'ffmpeg says');
    else if (this.#stderrLines === STDERR_LOG_LINES + 1) this.#logger.warn('ffmpeg says more; further lines of this stream are not logged');
  }

  /** The output's reports, with the pipeline delay of each source segment measured here. */
  #sink(): OutputSink {
    return {
      segment: (uri, duration) => {
        const now = Date.now();
        this.#segments += 1;
        this.#mediaSeconds += duration;
        const lagMs = now - (this.#firstByteAt + this.#mediaSeconds * 1000);
        this.emit('segment', { uri, duration, listedAt: now, lagMs });
        this.#logger.debug({ segment: uri, duration, lagMs }, 'segment listed');
      },
      listed: (uri) => this.emit('listed', uri),
      file: (name) => this.emit('file', name),
      ready: () => {
        if (this.#state !== 'starting' || this.#segments === 0) return;
        clearTimeout(this.#startTimer);
        this.#state = 'live';
        this.emit('live');
      },
      fail: (reason) => this.kill(reason),
    };
  }

  async #exited(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    clearTimeout(this.#startTimer);
    clearTimeout(this.#killTimer);
    const clean = code === 0 && this.#stopReason === null;
    this.#state = clean ? 'ended' : 'died';
    await this.#output.drain(this.#sink());
    const error = clean ? null : (this.#stopReason ?? (this.#errorTail.join(' | ') || `ffmpeg exited with ${signal ?? `code ${code}`}`));
    const exit: TranscoderExit = { clean, code, signal, error, segments: this.#segments };
    if (clean) this.#logger.info({ code, segments: exit.segments }, 'ffmpeg finished');
    else this.#logger.warn({ code, signal, error, segments: exit.segments }, 'ffmpeg stopped abnormally');
    this.emit('exit', exit);
  }
}
