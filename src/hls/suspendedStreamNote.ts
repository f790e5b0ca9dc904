import { z } from 'zod';
import type { IngestState } from '../contracts/ingest.js';
import type { TranscodePlan } from './ffmpegArgs.js';
import { isRecordingId } from './recording/recordingIds.js';

/** A live stream suspended by a rolling restart, as its note in the room's HLS folder holds it (suspendedStream.ts). */
export interface SuspendedStream {
  readonly producer: string;
  /** The plan of the stream's last ffmpeg (classic mode: the playlists the resumed ffmpeg appends to). */
  readonly plan: TranscodePlan;
  /** The ingest when it was suspended, shown while the stream is held. */
  readonly ingest: IngestState;
  /** When the broadcast went live (the chat's `since`, the webhooks' `startedAt`). */
  readonly since: number;
  /** Low-Latency HLS: the Discontinuity Sequence Number of the last segment (the next follows a discontinuity). */
  readonly discontinuity: number;
  /** The recording being made of it, which the next worker goes on with (null: not recorded). */
  readonly recording: CarriedRecording | null;
  readonly savedAt: number;
}

/** A recording in progress as the next worker needs it: its folder (id) and when it started. */
export interface CarriedRecording {
  readonly id: string;
  readonly startedAt: number;
}

/**
 * What a suspended-stream note must hold to be used. The file lies in the room's HLS folder, so
 * it is checked field by field like any input: a note that is damaged, from another version, or
 * written by someone else is ignored rather than trusted (a bad plan would throw where the
 * stream resumes; a path in it would point ENDLIST at another folder).
 */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const epochMs = count;
const seconds = z.number().positive().max(3_600);

const planSchema = z.object({
  media: z.object({
    container: z.enum(['webm', 'mpegts', 'flv']),
    video: z.enum(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'other']).nullable(),
    audio: z.enum(['aac', 'opus', 'mp3', 'vorbis', 'other']).nullable(),
  }),
  outputDir: z.string(),
  segmentSeconds: seconds,
  windowSegments: z.number().int().min(2).max(10_000),
  streamId: z.string().regex(/^[0-9a-z]{1,64}$/),
  ladder: z.boolean(),
  mode: z.enum(['ll', 'classic']),
  partSeconds: seconds,
  encodeLimits: z.object({ maxWidth: count, maxHeight: count, maxFps: z.number().positive().max(1_000) }),
  fpsModeOption: z.enum(['-fps_mode', '-vsync']),
  append: z.boolean().optional(),
});

const ingestSchema = z.object({
  protocol: z.enum(['http', 'websocket', 'rtmp', 'whip', 'srt']),
  since: epochMs,
  bytes: count,
  bitrateKbps: z.number().min(0),
  video: z.string().max(200).nullable(),
  audio: z.string().max(200).nullable(),
  keyframeIntervalSeconds: z.number().min(0).nullable(),
  warnings: z.array(z.object({ code: z.enum(['KEYFRAME_INTERVAL_LONG']), message: z.string().max(1_000) })).max(100),
}).loose();

const noteSchema = z.object({
  producer: z.string().min(1).max(256),
  plan: planSchema,
  ingest: ingestSchema,
  since: epochMs,
  discontinuity: count,
  recording: z.object({ id: z.string().refine(isRecordingId), startedAt: epochMs }).nullable(),
  savedAt: epochMs,
});

/** The note if it is whole and well formed, its plan's folder set to `dir` (where it was found); null otherwise. */
export function parseSuspendedNote(value: unknown, dir: string): SuspendedStream | null {
  const parsed = noteSchema.safeParse(value);
  if (!parsed.success || parsed.data.since > parsed.data.savedAt) return null;
  const note = parsed.data as SuspendedStream;
  return { ...note, plan: { ...note.plan, outputDir: dir } };
}
