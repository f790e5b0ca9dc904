import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signRoomToken, verifyRoomToken } from '../../src/chat/tokens.js';
import type { IngestLimits } from '../../src/config/IngestLimits.js';
import { EncoderSlots } from '../../src/hls/EncoderSlots.js';
import { LiveStream, type StreamCounters } from '../../src/hls/LiveStream.js';
import { resolveFfmpeg } from '../../src/hls/resolveFfmpeg.js';
import { createLogger } from '../../src/kit/createLogger.js';
import type { IngestRoom } from '../../src/worker/ingestHttp.js';

const LIMITS: IngestLimits = { maxBytesPerSecond: 1e9, burstSeconds: 10, maxFramesPerSecond: 100, minBytesPerSecond: 0, rateWindowMs: 30_000, mediaTimeoutMs: 10_000 };
const KEY = new TextEncoder().encode('ingest-room-test-key-of-32-bytes!!');

/** A marker left in the room's HLS folder: a stream that starts afresh empties the folder. */
export const MARKER = 'left-by-the-test.txt';

/**
 * A real room for the ingest paths, without a worker: a LiveStream over a temporary HLS folder,
 * real tokens, the system's ffmpeg. It counts how often the stream asked for ffmpeg (each stream
 * start does), so a test can tell that nothing started.
 */
export async function ingestRoom(options: { resumeMs?: number } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-room-'));
  await writeFile(path.join(dir, MARKER), 'x');
  const epoch = Date.now();
  const counters: StreamCounters = { ingestBytes: 0, streamsStarted: 0, ffmpegFailures: 0 };
  const encoders = new EncoderSlots(1);
  const logger = createLogger('silent');
  let ffmpegAsked = 0;
  const stream = new LiveStream({
    room: 'test',
    dir,
    url: 'http://127.0.0.1/hls/index.m3u8',
    settings: { segmentSeconds: 1, windowSegments: 6, ladder: false, mode: 'classic', partSeconds: 0.2 },
    ffmpeg: () => {
      ffmpegAsked += 1;
      return resolveFfmpeg({ configured: '/usr/bin/ffmpeg', searchPath: undefined });
    },
    ingestLimits: LIMITS,
    limits: { maxSegmentSeconds: 10, maxSegmentBytes: 25 * 1024 * 1024, encode: { maxWidth: 1920, maxHeight: 1080, maxFps: 30 } },
    encoders,
    logger,
    counters,
    resumeMs: options.resumeMs ?? 0,
    stopRefuseMs: 30_000,
  });
  const room: IngestRoom = {
    name: 'test',
    stream,
    logger,
    authHook: undefined,
    addressOf: (req) => req.socket.remoteAddress ?? 'unknown',
    verifyToken: (token) => verifyRoomToken(KEY, token, { room: 'test', epoch }),
  };
  return {
    room,
    stream,
    dir,
    counters,
    encoders,
    get ffmpegAsked() {
      return ffmpegAsked;
    },
    token: (sub: string) => signRoomToken(KEY, { room: 'test', sub, name: sub, role: 'producer', epoch }, 3_600),
    close: async () => {
      await stream.close('test over', 'deleted');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
