/**
 * ffmpeg producers fed the wall clock in real time: Node paints a frame every 1/FPS s
 * (ClockFrames) and writes the same frame to every producer's stdin as rawvideo, and each ffmpeg
 * encodes it (libx264 veryfast zerolatency, a keyframe a second) and pushes it to its server:
 * MPEG-TS over HTTP to a chatserver room's /ingest, FLV over RTMP to a peer. Every server gets
 * the same frames at the same moment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ClockFrames } from './clockFrames.js';

export const CLOCK_FPS = 25;

/** Output arguments (muxer and URL) for one server. */
export const clockOutputs = {
  httpIngest: (url: string) => ['-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', '-f', 'mpegts', url],
  rtmp: (url: string) => ['-flush_packets', '1', '-f', 'flv', url],
} as const;

export interface ClockPush {
  readonly pids: number[];
  /** Frames written so far, and how many were late by more than one frame interval. */
  readonly stats: () => { frames: number; lateFrames: number };
  /** Ends every producer's input (ffmpeg flushes and exits) and resolves when all have exited. */
  readonly stop: () => Promise<void>;
}

export function startClockPush(ffmpeg: string, outputs: readonly (readonly string[])[]): ClockPush {
  const painter = new ClockFrames();
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${painter.width}x${painter.height}`, '-r', String(CLOCK_FPS), '-i', 'pipe:0'];
  const encode = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', String(CLOCK_FPS), '-pix_fmt', 'yuv420p'];
  const children: ChildProcess[] = outputs.map((output) => {
    const child = spawn(ffmpeg, [...input, ...encode, ...output], { stdio: ['pipe', 'ignore', 'inherit'] });
    // A producer whose server hung up: its frames are dropped, the others go on.
    child.stdin!.on('error', () => undefined);
    return child;
  });
  const exited = children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))));
  const interval = 1000 / CLOCK_FPS;
  const startedAt = performance.now();
  let frames = 0;
  let lateFrames = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const due = startedAt + frames * interval;
    if (performance.now() - due > interval) lateFrames++;
    const frame = painter.paint(Date.now());
    for (const child of children) if (child.stdin!.writable) child.stdin!.write(frame);
    frames++;
    // Scheduled against the start, so timer jitter does not add up over minutes.
    timer = setTimeout(tick, Math.max(0, startedAt + frames * interval - performance.now()));
  };
  tick();
  return {
    pids: children.map((child) => child.pid!),
    stats: () => ({ frames, lateFrames }),
    stop: async () => {
      clearTimeout(timer);
      for (const child of children) child.stdin!.end();
      await Promise.all(exited);
    },
  };
}
