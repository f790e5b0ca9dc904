import path from 'node:path';
import type { Config } from '../config/Config.js';
import { EncoderSlots } from '../hls/EncoderSlots.js';
import { HLS_PATH, LiveStream, type MediaLimits, type StreamSettings } from '../hls/LiveStream.js';
import { CURRENT_FFMPEG_MAJOR } from '../hls/ffmpegVersion.js';
import { resolveFfmpeg, type FfmpegBinary } from '../hls/resolveFfmpeg.js';
import { probeSrtSupport, type SrtSupport } from '../hls/ffmpegProtocols.js';
import type { Logger } from '../kit/createLogger.js';
import type { RoomSettings } from '../contracts/records.js';
import { HlsCache } from '../hls/HlsCache.js';
import type { HeldLimits } from '../hls/ll/HeldRequests.js';
import { IngestSockets } from './ingestSocket.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';
import type { WhipSettings } from './ingestWhip.js';
import { RoomRecorder, type RecordingNote } from './RoomRecorder.js';
import { PosterFrameTaker } from '../hls/poster/PosterFrameTaker.js';
import { LiveThumbnail } from '../hls/poster/LiveThumbnail.js';
import { roomUrl } from '../kit/roomUrls.js';

/**
 * The broadcast services of one worker, shared by its rooms: the ffmpeg binary (resolved at
 * the first stream, not at start: a server that never streams needs no ffmpeg), the ingest
 * WebSocket server, and the HLS defaults from the config.
 */
export class WorkerMedia {
  readonly ingest = new IngestSockets();
  /** Recently served HLS files of every room of the worker, in memory. */
  readonly hlsCache = new HlsCache();
  /** Bounds on the blocking LL-HLS requests a room holds (HLS_MAX_HELD_PER_ADDRESS, HLS_MAX_HELD_PER_ROOM). */
  readonly heldLimits: HeldLimits;
  /** How WHIP sessions reach publishers (WHIP_UDP_PORTS, WHIP_ICE_HOST). */
  readonly whip: WhipSettings;
  readonly #encoders: EncoderSlots;
  /** One poster frame ffmpeg at a time for the worker's rooms. */
  readonly #posters: PosterFrameTaker;
  readonly #limits: MediaLimits;
  readonly #config: Config;
  readonly #logger: Logger;
  /** The worker's counters (ingest bytes, streams, recordings, held LL-HLS requests). */
  readonly counters: WorkerCounters;
  #ffmpeg: Promise<FfmpegBinary> | undefined;
  #srt: Promise<SrtSupport> | undefined;

  constructor(config: Config, logger: Logger, counters: WorkerCounters) {
    this.#config = config;
    this.#logger = logger;
    this.counters = counters;
    this.whip = config.whip;
    this.heldLimits = { perAddress: config.hlsMaxHeldPerAddress, perRoom: config.hlsMaxHeldPerRoom };
    this.#encoders = new EncoderSlots(config.maxEncodesPerWorker);
    this.#posters = new PosterFrameTaker(config.thumbnailWidth, logger);
    this.#limits = {
      maxSegmentSeconds: config.hlsMaxSegmentSeconds,
      maxSegmentBytes: config.hlsMaxSegmentBytes,
      encode: { maxWidth: config.encodeMaxResolution.width, maxHeight: config.encodeMaxResolution.height, maxFps: config.encodeMaxFps },
    };
  }

  /** The binary, resolved once; a failed lookup is retried at the next stream (ffmpeg may be installed meanwhile). */
  ffmpeg(): Promise<FfmpegBinary> {
    this.#ffmpeg ??= resolveFfmpeg({ configured: this.#config.ffmpegPath, searchPath: process.env.PATH }).then(
      (binary) => {
        const found = { ffmpeg: binary.path, source: binary.source, version: binary.version?.text ?? 'unknown' };
        if (binary.current) this.#logger.info(found, 'ffmpeg found');
        else this.#logger.warn(found, `ffmpeg found, but it is older than ${CURRENT_FFMPEG_MAJOR}.0 (or of unknown version): install a current one (e.g. apt-get install ffmpeg) or point FFMPEG_PATH at one`);
        return binary;
      },
      (error: unknown) => {
        this.#ffmpeg = undefined;
        this.#logger.error({ err: error }, 'no ffmpeg: streams cannot start');
        throw error;
      },
    );
    return this.#ffmpeg;
  }

  /**
   * Whether the binary has the srt protocol, probed once (at the first SRT caller: a server
   * nobody publishes SRT to never asks). Where it has not, the log says why, once.
   */
  srtSupport(): Promise<SrtSupport> {
    this.#srt ??= this.ffmpeg().then(
      async (binary) => {
        const support = await probeSrtSupport(binary);
        if (!support.available) this.#logger.warn({ reason: support.reason }, 'SRT publishers are refused: this ffmpeg cannot receive SRT');
        return support;
      },
      (error: unknown) => {
        // No ffmpeg yet: asked again at the next caller (it may be installed meanwhile).
        this.#srt = undefined;
        return { available: false, reason: `no ffmpeg: ${error instanceof Error ? error.message : String(error)}` } as const;
      },
    );
    return this.#srt;
  }

  streamFor(room: { name: string; port: number; settings: RoomSettings }, logger: Logger): LiveStream {
    return new LiveStream({
      room: room.name,
      dir: this.roomDir(room.name),
      url: roomUrl(this.#config.publicHost, room.port, HLS_PATH),
      settings: this.#settings(room.settings),
      ffmpeg: () => this.ffmpeg(),
      ingestLimits: this.#config.ingest,
      limits: this.#limits,
      encoders: this.#encoders,
      logger,
      counters: this.counters,
      resumeMs: this.#config.streamResumeMs,
      stopRefuseMs: this.#config.streamStopRefuseMs,
    });
  }

  /** The room's poster frames (THUMBNAIL_SECONDS; none when 0). */
  thumbnailFor(stream: LiveStream): LiveThumbnail {
    return new LiveThumbnail({ stream, taker: this.#posters, ffmpeg: () => this.ffmpeg(), intervalMs: this.#config.thumbnailMs });
  }

  /** Records the room's broadcasts unless its setting `record` is false. */
  recorderFor(room: { name: string; settings: RoomSettings }, logger: Logger, notify: (note: RecordingNote) => void): RoomRecorder {
    return new RoomRecorder({ room: room.name, dir: this.recordingsDir(room.name), enabled: room.settings.record !== false, logger, counters: this.counters, notify });
  }

  /** The room's recordings, RECORDINGS_DIR/<room> (room names never leave the folder). */
  recordingsDir(room: string): string {
    return path.join(this.#config.recordingsDir, room);
  }

  /** Room names are `[A-Za-z0-9_-]`, so the folder never leaves HLS_DIR. */
  roomDir(room: string): string {
    return path.join(this.#config.hlsDir, room);
  }

  #settings(settings: RoomSettings): StreamSettings {
    const segmentSeconds = typeof settings.segmentSeconds === 'number' ? settings.segmentSeconds : this.#config.hlsSegmentSeconds;
    const windowSegments = settings.windowSegments;
    const partSeconds = settings.partSeconds;
    return {
      segmentSeconds,
      windowSegments: typeof windowSegments === 'number' ? windowSegments : this.#config.hlsWindowSegments,
      ladder: settings.ladder === true,
      mode: this.#config.hlsMode,
      partSeconds: Math.min(typeof partSeconds === 'number' ? partSeconds : this.#config.hlsPartSeconds, segmentSeconds),
    };
  }
}
