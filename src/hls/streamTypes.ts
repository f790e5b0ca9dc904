import type { Logger } from '../kit/createLogger.js';
import type { IngestLimits } from '../config/IngestLimits.js';
import type { EncoderSlots } from './EncoderSlots.js';
import type { EncodeLimits, HlsMode, TranscodePlan } from './ffmpegArgs.js';
import type { IngestState } from '../contracts/ingest.js';
import type { FfmpegBinary } from './resolveFfmpeg.js';
import type { TranscoderExit } from './Transcoder.js';
import type { KeyframeLimits } from './watchKeyframes.js';
import type { RecordableSegment } from './recordable.js';

// What a LiveStream is made with, reports and emits (its options, status and events).

/** The counters a stream bumps (the worker's metrics). */
export interface StreamCounters {
  ingestBytes: number;
  streamsStarted: number;
  ffmpegFailures: number;
}

/** What a stream held for its dropped producer keeps for the producer's return. */
export interface Kept {
  /** The plan of its last ffmpeg: a resumed stream appends to those playlists. */
  readonly plan: TranscodePlan;
  /** The ingest state when it dropped, shown while it is held. */
  readonly ingest: IngestState;
}

export type StreamPhase = 'offline' | 'starting' | 'live' | 'ended';

/**
 * Why a room's stream closes: the room is deleted (its files go), the worker goes away (a live
 * stream ends), or a rolling restart replaces the worker (a live stream is suspended for the next).
 */
export type StreamCloseKind = 'deleted' | 'going-away' | 'restarting';

export interface StreamSettings {
  readonly segmentSeconds: number;
  readonly windowSegments: number;
  readonly ladder: boolean;
  /** Low-Latency HLS parts (fMP4, the worker's packager) or classic MPEG-TS HLS written by ffmpeg. */
  readonly mode: HlsMode;
  /** Part length in seconds (ll mode). */
  readonly partSeconds: number;
}

export interface StreamStatus {
  readonly phase: StreamPhase;
  readonly live: boolean;
  /** Absolute playlist URL (PUBLIC_HOST and the room port) while live. */
  readonly url: string | null;
  /** The playlist's path on the room port while live, for pages that know the host already. */
  readonly path: string | null;
  readonly since: number | null;
}

/** The worker-wide media limits (from the config). */
export interface MediaLimits extends KeyframeLimits {
  readonly encode: EncodeLimits;
}

export interface LiveStreamOptions {
  readonly room: string;
  /** The room's own HLS folder; emptied when a stream starts, removed with the room. */
  readonly dir: string;
  readonly url: string;
  readonly settings: StreamSettings;
  readonly ffmpeg: () => Promise<FfmpegBinary>;
  /** The caps every producer of the room streams under. */
  readonly ingestLimits: IngestLimits;
  readonly limits: MediaLimits;
  /** The worker's encode slots, shared by its rooms. */
  readonly encoders: EncoderSlots;
  readonly logger: Logger;
  readonly counters: StreamCounters;
  readonly firstSegmentTimeoutMs?: number;
  readonly finishTimeoutMs?: number;
  /** How long a live stream whose producer dropped waits for the same producer (STREAM_RESUME_SECONDS; 0: it ends at once). */
  readonly resumeMs: number;
  /** How long a producer whose stream was stopped is refused (STREAM_STOP_REFUSE_SECONDS). */
  readonly stopRefuseMs: number;
}

export interface LiveStreamEvents {
  status: [StreamStatus];
  /** ffmpeg stopped, cleanly or not (for logs and metrics). */
  exit: [TranscoderExit];
  /** A file of the room's HLS folder changed; `null`: the whole folder was emptied. */
  files: [name: string | null];
  /** Low-Latency HLS: a part was added or a playlist changed (held requests look again). */
  hlsChanged: [];
  /** A new broadcast went live (not a dropped producer resuming within the grace: that continues it). */
  broadcastStarted: [startedAt: number];
  /** The previous worker's broadcast, suspended by a rolling restart, goes on in this one (no new `broadcastStarted`). */
  broadcastCarried: [startedAt: number];
  /** The broadcast is over: its playlists have ENDLIST. */
  broadcastEnded: [endedAt: number];
  /** A complete segment of the source rendition, in order, for the room's recorder (LL-HLS mode). */
  recordable: [RecordableSegment];
  /** Classic HLS: a complete segment of the source rendition is on disk (its path), for the room's thumbnail. */
  segmentFile: [file: string];
}
