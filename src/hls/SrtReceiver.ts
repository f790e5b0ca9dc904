import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../kit/createLogger.js';
import { FFMPEG_ENV } from './ffmpegEnv.js';

/** Where the receiver listens: only this host's relay reaches it. */
const RECEIVER_HOST = '127.0.0.1';
/** ffmpeg gives up on a caller that does not come within this (microseconds, its unit). */
const LISTEN_TIMEOUT_US = 10_000_000;
const ERROR_TAIL_LINES = 3;

/**
 * The ffmpeg arguments of a receiver (pure): an SRT listener for one caller whose payload is
 * copied byte for byte to stdout. `-f data` on both sides makes ffmpeg a pipe: no probing, no
 * remuxing (the room's transcoder sniffs and reads the MPEG-TS), and bytes leave as they come.
 */
export function srtReceiverArgs(port: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'data', '-i', `srt://${RECEIVER_HOST}:${port}?mode=listener&listen_timeout=${LISTEN_TIMEOUT_US}`,
    '-map', '0', '-c', 'copy', '-flush_packets', '1', '-f', 'data', 'pipe:1',
  ];
}

/**
 * One local ffmpeg that takes one relayed SRT caller and hands its MPEG-TS out on `output`. It
 * never outlives close() or its caller (ffmpeg ends when the SRT connection does), and it
 * receives only from the worker's relay: it listens on 127.0.0.1.
 */
export class SrtReceiver {
  readonly port: number;
  readonly output: Readable;
  readonly ended: Promise<void>;
  readonly #child: ChildProcess;
  readonly #logger: Logger;
  readonly #errorTail: string[] = [];
  #killed = false;
  #callerShutdown = false;

  private constructor(binary: string, port: number, logger: Logger) {
    this.port = port;
    this.#logger = logger.child({ component: 'srt-receiver' });
    const args = srtReceiverArgs(port);
    this.#child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...FFMPEG_ENV } });
    this.output = this.#child.stdout!;
    this.#logger.debug({ pid: this.#child.pid, args }, 'srt receiver started');
    this.#child.on('error', (error) => this.#logger.error({ err: error }, 'srt receiver could not start'));
    createInterface({ input: this.#child.stderr! }).on('line', (line) => {
      this.#errorTail.push(line);
      if (this.#errorTail.length > ERROR_TAIL_LINES) this.#errorTail.shift();
    });
    this.ended = new Promise((resolve) => {
      this.#child.once('close', (code, signal) => {
        if (!this.#killed && code !== 0) this.#logger.warn({ code, signal, error: this.#errorTail.join(' | ') }, 'srt receiver failed');
        else this.#logger.debug({ code, signal }, 'srt receiver ended');
        resolve();
      });
    });
  }

  /** Starts a receiver on a free local UDP port. */
  static async start(binary: string, logger: Logger): Promise<SrtReceiver> {
    return new SrtReceiver(binary, await freeUdpPort(), logger);
  }

  /** The caller ended its stream with an SRT shutdown (see SrtBackend.callerShutdown). */
  callerShutdown(): void {
    this.#callerShutdown = true;
  }

  /** Whether the caller said goodbye: its stream ended, rather than dropped. */
  get callerEnded(): boolean {
    return this.#callerShutdown;
  }

  /** Stops it at once (nothing of a relay is worth finishing); safe to call twice. */
  close(): void {
    if (this.#killed || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#killed = true;
    this.#child.kill('SIGKILL');
  }
}

/**
 * A UDP port free on 127.0.0.1 now. Another process could take it before ffmpeg binds it; then
 * ffmpeg fails, the relay gets no answer, and the caller is refused (it may retry).
 */
function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: RECEIVER_HOST, port: 0, exclusive: true }, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
