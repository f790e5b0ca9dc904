import path from 'node:path';
import { fragmentSeconds } from './ll/partTarget.js';
import type { Container, MediaInfo } from './mediaSniffer.js';

/** A lower rendition of the adaptive ladder (the source rendition is always first). */
export interface Rendition {
  readonly height: number;
  readonly videoKbps: number;
  readonly audioKbps: number;
}

/** The renditions a room with the `ladder` setting gets below the source. */
export const LADDER: readonly Rendition[] = [
  { height: 480, videoKbps: 1200, audioKbps: 96 },
  { height: 240, videoKbps: 400, audioKbps: 64 },
];

/** What an encode may produce at most: the source is scaled down into the box and thinned to the rate. */
export interface EncodeLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxFps: number;
}

export interface TranscodePlan {
  readonly media: MediaInfo;
  /** The room's HLS folder (absolute). */
  readonly outputDir: string;
  /** Segment length in seconds; also the keyframe interval when encoding. */
  readonly segmentSeconds: number;
  /** Segments kept in the live playlist. */
  readonly windowSegments: number;
  /** Unique per stream, in segment names, so a segment URL never names two different files. */
  readonly streamId: string;
  /** Adds lower renditions and a master playlist. */
  readonly ladder: boolean;
  /**
   * `ll`: fragmented MP4 on pipes (one per rendition: stdout, then fd 3, 4...), a fragment per
   * part of `partSeconds`, cut into parts and segments by the worker (Low-Latency HLS).
   * `classic`: ffmpeg's own HLS muxer writes MPEG-TS segments and playlists into `outputDir`.
   */
  readonly mode: HlsMode;
  /** Part length in seconds (ll mode). */
  readonly partSeconds: number;
  readonly encodeLimits: EncodeLimits;
  /** How this ffmpeg spells the frame-rate mode option: `-fps_mode` from 5.1, `-vsync` before. */
  readonly fpsModeOption: '-fps_mode' | '-vsync';
  /**
   * Continue the playlists a previous ffmpeg of the same stream left (a producer that came back
   * within the resume grace): their segments stay listed, the media sequence goes on, and the
   * first new segment follows an EXT-X-DISCONTINUITY. The new `streamId` keeps names apart.
   */
  readonly append?: boolean;
}

export type HlsMode = 'll' | 'classic';

/** The playlist viewers open: the media playlist, or the master playlist with a ladder. */
export const PLAYLIST_NAME = 'index.m3u8';

const INPUT_FORMAT: Record<Container, string> = { webm: 'matroska', mpegts: 'mpegts', flv: 'flv' };
const SOURCE_VIDEO_KBPS = 3000;
const SOURCE_AUDIO_KBPS = 128;

/** Whether the plan makes a master playlist over one media playlist per rendition. */
export function hasLadder(plan: Pick<TranscodePlan, 'media' | 'ladder'>): boolean {
  return plan.ladder && plan.media.video !== null;
}

/** The media playlists ffmpeg writes: one, or one per rendition with a ladder (the source's first). */
export function mediaPlaylists(plan: Pick<TranscodePlan, 'media' | 'ladder'>): string[] {
  return hasLadder(plan) ? [{}, ...LADDER].map((_, i) => `v${i}.m3u8`) : [PLAYLIST_NAME];
}

/** True when the video is copied as it comes (H.264, single rendition): no encode at all. */
export function copiesVideo(plan: Pick<TranscodePlan, 'media' | 'ladder'>): boolean {
  return plan.media.video === 'h264' && !plan.ladder;
}

/**
 * The ffmpeg argument vector for one live stream: the producer's bytes on stdin, HLS out.
 * Pure (no I/O), so it is unit-tested; it is passed to spawn() as an array, never a shell string.
 */
export function buildFfmpegArgs(plan: TranscodePlan): string[] {
  if (!Number.isFinite(plan.segmentSeconds) || plan.segmentSeconds <= 0) throw new RangeError('segmentSeconds must be positive');
  if (!Number.isInteger(plan.windowSegments) || plan.windowSegments < 2) throw new RangeError('windowSegments must be an integer >= 2');
  if (!/^[A-Za-z0-9]+$/.test(plan.streamId)) throw new RangeError('streamId must be alphanumeric');
  if (plan.media.video === null && plan.media.audio === null) throw new RangeError('the stream has no track to publish');
  const { maxWidth, maxHeight, maxFps } = plan.encodeLimits;
  if (![maxWidth, maxHeight, maxFps].every((n) => Number.isInteger(n) && n > 0)) throw new RangeError('encode limits must be positive integers');
  if (plan.mode === 'll') {
    if (!Number.isFinite(plan.partSeconds) || plan.partSeconds <= 0 || plan.partSeconds > plan.segmentSeconds) throw new RangeError('partSeconds must be positive and at most segmentSeconds');
    return [...inputArgs(plan.media.container), ...(hasLadder(plan) ? ladderFragmentArgs(plan) : [...singleArgs(plan), ...fragmentedMp4Args(plan, 1)])];
  }
  return [...inputArgs(plan.media.container), ...(hasLadder(plan) ? ladderArgs(plan) : singleArgs(plan)), ...hlsArgs(plan)];
}

/** How many renditions (fMP4 pipes in ll mode) the plan makes. */
export function renditionCount(plan: Pick<TranscodePlan, 'media' | 'ladder'>): number {
  return hasLadder(plan) ? LADDER.length + 1 : 1;
}

/** The file descriptor of rendition `index`'s pipe in ll mode: stdout, then 3, 4... (0 and 2 are stdin and the log). */
export function renditionFd(index: number): number {
  return index === 0 ? 1 : index + 2;
}

/** How much of the input ffmpeg reads before it writes (see inputArgs). */
const ANALYZE_MICROSECONDS = 500_000;

function inputArgs(container: Container): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel', 'warning',
    // Start as soon as the tracks are known: a live stream has no index to read ahead. ffmpeg
    // writes nothing until it has analysed this much of the input, so it bounds how soon the
    // first part exists: 0.5 s is within the first segment of a Low-Latency stream (3 parts,
    // docs/ll-hls.md) and still long enough for an audio track that starts a little after the video.
    '-fflags', '+genpts',
    '-probesize', '1000000',
    '-analyzeduration', String(ANALYZE_MICROSECONDS),
    '-f', INPUT_FORMAT[container],
    '-i', 'pipe:0',
  ];
}

function singleArgs(plan: TranscodePlan): string[] {
  const args: string[] = [];
  if (plan.media.video !== null) {
    args.push('-map', '0:v:0');
    if (copiesVideo(plan)) args.push('-c:v', 'copy');
    else args.push('-filter:v', limitFilter(plan.encodeLimits), ...variableFrameRate(plan), ...x264Args('v', plan.segmentSeconds, SOURCE_VIDEO_KBPS));
  }
  if (plan.media.audio !== null) args.push('-map', '0:a:0?', ...audioArgs('a', plan.media.audio === 'aac', SOURCE_AUDIO_KBPS, plan.mode));
  return args;
}

/** Source + LADDER renditions from one decode; keyframes forced at the same times in each. */
function ladderArgs(plan: TranscodePlan): string[] {
  const count = LADDER.length + 1;
  const outputs = Array.from({ length: count }, (_, i) => `[v${i}]`).join('');
  const scales = LADDER.map((rendition, i) => `[v${i + 1}]scale=-2:'min(${rendition.height},ih)'[v${i + 1}o]`);
  const args = ['-filter_complex', [`[0:v:0]${limitFilter(plan.encodeLimits)},split=${count}${outputs}`, ...scales].join(';'), ...variableFrameRate(plan)];
  args.push('-map', '[v0]', ...LADDER.flatMap((_, i) => ['-map', `[v${i + 1}o]`]));
  args.push(...x264Args('v:0', plan.segmentSeconds, SOURCE_VIDEO_KBPS));
  LADDER.forEach((rendition, i) => args.push(...x264Args(`v:${i + 1}`, plan.segmentSeconds, rendition.videoKbps)));
  if (plan.media.audio !== null) {
    for (let i = 0; i < count; i += 1) args.push('-map', '0:a:0');
    args.push(...audioArgs('a:0', plan.media.audio === 'aac', SOURCE_AUDIO_KBPS, plan.mode));
    LADDER.forEach((rendition, i) => args.push(...audioArgs(`a:${i + 1}`, false, rendition.audioKbps, plan.mode)));
  }
  const variant = (i: number) => (plan.media.audio !== null ? `v:${i},a:${i}` : `v:${i}`);
  args.push('-var_stream_map', Array.from({ length: count }, (_, i) => variant(i)).join(' '));
  args.push('-master_pl_name', PLAYLIST_NAME);
  return args;
}

/**
 * Scales down into maxWidth x maxHeight keeping the aspect ratio (never up; even sizes, as
 * yuv420p needs), then drops frames closer than 1/maxFps s to the last one kept: a 4K or 120 fps
 * upload is encoded at the caps, a 720p30 one as it is. (The `fps` filter would duplicate frames
 * of a slower source up to the cap; `select` only drops. Both expressions run on ffmpeg 4 and
 * later.) The gap allows 1.2 ms less than a frame's time: WebM timestamps are whole
 * milliseconds, so 60 fps frames arrive 16 or 17 ms apart and must all pass.
 */
function limitFilter({ maxWidth, maxHeight, maxFps }: EncodeLimits): string {
  const factor = `min(1,min(${maxWidth}/iw,${maxHeight}/ih))`;
  const scale = `scale=w='trunc(${factor}*iw/2)*2':h='trunc(${factor}*ih/2)*2'`;
  const minGap = Math.max(1 / maxFps - 0.0012, 0.75 / maxFps).toFixed(6);
  return `${scale},select='isnan(prev_selected_t)+gte(t-prev_selected_t,${minGap})'`;
}

/** Frames keep their times: HLS output would otherwise be made constant-rate by duplicating dropped frames back. */
function variableFrameRate(plan: TranscodePlan): string[] {
  return [plan.fpsModeOption, 'vfr'];
}

function x264Args(stream: string, segmentSeconds: number, kbps: number): string[] {
  return [
    `-c:${stream}`, 'libx264',
    `-preset:${stream}`, 'veryfast',
    `-tune:${stream}`, 'zerolatency',
    `-pix_fmt:${stream}`, 'yuv420p',
    `-b:${stream}`, `${kbps}k`,
    `-maxrate:${stream}`, `${kbps}k`,
    `-bufsize:${stream}`, `${kbps * 2}k`,
    // One keyframe per segment, at the same media times in every rendition, and none between.
    `-force_key_frames:${stream}`, `expr:gte(t,n_forced*${segmentSeconds})`,
    `-sc_threshold:${stream}`, '0',
  ];
}

/**
 * Copied AAC stays as it comes for classic HLS (MPEG-TS segments carry ADTS frames; hls.js
 * refuses AAC without them); into MP4 (ll) the filter strips ADTS headers (and passes raw AAC
 * from FLV as it is).
 */
function audioArgs(stream: string, copy: boolean, kbps: number, mode: HlsMode): string[] {
  if (copy) return mode === 'll' ? [`-c:${stream}`, 'copy', `-bsf:${stream}`, 'aac_adtstoasc'] : [`-c:${stream}`, 'copy'];
  return [`-c:${stream}`, 'aac', `-b:${stream}`, `${kbps}k`, `-ac:${stream}`, '2', `-ar:${stream}`, '48000'];
}

/**
 * ll mode with a ladder: one decode, one fragmented-MP4 output per rendition (each with its own
 * maps and encoders), keyframes forced at the same times in each so segments line up.
 */
function ladderFragmentArgs(plan: TranscodePlan): string[] {
  const count = LADDER.length + 1;
  const outputs = Array.from({ length: count }, (_, i) => `[v${i}]`).join('');
  const scales = LADDER.map((rendition, i) => `[v${i + 1}]scale=-2:'min(${rendition.height},ih)'[v${i + 1}o]`);
  const args = ['-filter_complex', [`[0:v:0]${limitFilter(plan.encodeLimits)},split=${count}${outputs}`, ...scales].join(';')];
  const renditions = [{ label: '[v0]', videoKbps: SOURCE_VIDEO_KBPS, audioKbps: SOURCE_AUDIO_KBPS, copyAudio: plan.media.audio === 'aac' }, ...LADDER.map((rendition, i) => ({ label: `[v${i + 1}o]`, ...rendition, copyAudio: false }))];
  renditions.forEach((rendition, i) => {
    args.push('-map', rendition.label, ...variableFrameRate(plan), ...x264Args('v', plan.segmentSeconds, rendition.videoKbps));
    if (plan.media.audio !== null) args.push('-map', '0:a:0', ...audioArgs('a', rendition.copyAudio, rendition.audioKbps, plan.mode));
    args.push(...fragmentedMp4Args(plan, renditionFd(i)));
  });
  return args;
}

/**
 * Fragmented MP4 to a pipe: the init segment (empty moov) first, then a fragment at every
 * keyframe and every `partSeconds`, each written the moment it is complete (`-flush_packets`),
 * so a part reaches the worker as soon as ffmpeg has it.
 *
 * ffmpeg starts a new fragment at the first packet (of any track) at least `-frag_duration`
 * after the fragment's first: asked for a hair less than the part length (fragmentSeconds), it
 * cuts at the frame that completes the part length rounded up to whole frames (30 fps, 0.2 s:
 * 6 frames; 24 fps: 5 frames, 0.208 s), the PART-TARGET the packager declares.
 */
function fragmentedMp4Args(plan: TranscodePlan, fd: number): string[] {
  return [
    '-f', 'mp4',
    // delay_moov: the init waits for the first packets, so copied AAC's config (known only once
    // aac_adtstoasc has seen a frame) is in it; without it the init has none and browsers cannot decode.
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+delay_moov',
    '-frag_duration', String(Math.round(fragmentSeconds(plan.partSeconds) * 1_000_000)),
    '-flush_packets', '1',
    `pipe:${fd}`,
  ];
}

function hlsArgs(plan: TranscodePlan): string[] {
  const ladder = hasLadder(plan);
  const segmentName = ladder ? `${plan.streamId}-v%v-%05d.ts` : `${plan.streamId}-%05d.ts`;
  const playlist = ladder ? 'v%v.m3u8' : PLAYLIST_NAME;
  return [
    '-f', 'hls',
    '-hls_time', String(plan.segmentSeconds),
    '-hls_list_size', String(plan.windowSegments),
    // Keep a few segments past the window so a player that just read the playlist can fetch them.
    '-hls_delete_threshold', '3',
    // ENDLIST is ours to write (closePlaylists): a producer that drops may come back and resume.
    '-hls_flags', `delete_segments+program_date_time+independent_segments+temp_file+omit_endlist${plan.append === true ? '+append_list+discont_start' : ''}`,
    '-hls_segment_type', 'mpegts',
    '-start_number', '0',
    '-hls_segment_filename', path.join(plan.outputDir, segmentName),
    path.join(plan.outputDir, playlist),
  ];
}
