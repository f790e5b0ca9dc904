import { H264Depacketizer, nalType, NAL_PPS, NAL_SPS, type AccessUnit } from './H264Depacketizer.js';
import { spsPictureSize } from './h264Sps.js';
import { AUDIO_TRACK, avcDecoderConfiguration, avcSample, MatroskaClusters, matroskaHeader, VIDEO_TRACK } from './matroska.js';
import { RtpReorder, type RtpInput } from './RtpReorder.js';
import { TrackClock } from './TrackClock.js';

export interface WhipMuxerOptions {
  /** The offer has an audio track: the stream declares it and starts with it. */
  readonly audio: boolean;
  /** The start waits this long at most (after the first keyframe) for audio at that instant. */
  readonly audioWaitMs: number;
  /** The Matroska bytes, in order, header first. */
  readonly write: (chunk: Buffer) => void;
  /** A keyframe went out at this stream time (ms from the stream's start). */
  readonly keyframe: (streamMs: number) => void;
  /** Pictures were lost since the last keyframe: the stream needs a new one now. */
  readonly broken: () => void;
}

interface Frame {
  readonly track: number;
  readonly timeMs: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
}

/** Gaps are waited on this long: a NACKed packet comes again within a round trip. */
const REORDER_WAIT_MS = 150;
const REORDER_MAX_HELD = 512;
/** Audio held before the start, at most (Opus frames are 20 ms: 2 s). */
const MAX_EARLY_AUDIO = 100;
/** A picture size for the track header when the SPS cannot be read (ffmpeg reads the SPS itself). */
const FALLBACK_SIZE = { width: 640, height: 360 };

/**
 * A WHIP publisher's RTP (H.264 video, Opus audio) into a live Matroska stream for the room's
 * ingest. The stream starts at a video keyframe with the audio of that same instant (earlier
 * audio is dropped; the start waits, boundedly, for audio to reach it), so ffmpeg's first HLS
 * segment carries both tracks and a player sets up both buffers. Times are the receiver's (see
 * TrackClock) from the start on, so no sender report is waited for. Pure: the caller passes
 * arrival times and asks for keyframes on `broken`.
 */
export class WhipMuxer {
  readonly #options: WhipMuxerOptions;
  readonly #videoOrder = new RtpReorder(REORDER_WAIT_MS, REORDER_MAX_HELD);
  readonly #audioOrder = new RtpReorder(REORDER_WAIT_MS, REORDER_MAX_HELD);
  readonly #videoClock = new TrackClock(90_000);
  readonly #audioClock = new TrackClock(48_000);
  readonly #depacketizer: H264Depacketizer;
  readonly #clusters = new MatroskaClusters();
  /** Before the start: the pictures from the latest keyframe on, and the audio. */
  #earlyVideo: Frame[] = [];
  #earlyAudio: Frame[] = [];
  #firstKeyframeAt: number | null = null;
  #sps: Buffer | null = null;
  #pps: Buffer | null = null;
  /** The receiver-clock time of the stream's first picture: stream time 0. */
  #origin: number | null = null;
  #lastVideoMs = 0;
  #lastAudioMs = -1;

  constructor(options: WhipMuxerOptions) {
    this.#options = options;
    this.#depacketizer = new H264Depacketizer(() => {
      if (this.#origin !== null) options.broken();
    });
  }

  get started(): boolean {
    return this.#origin !== null;
  }

  /** The stream time (ms) at receiver time `now`; null before the start. */
  streamTime(now: number): number | null {
    return this.#origin === null ? null : now - this.#origin;
  }

  video(packet: RtpInput, now: number): void {
    this.#videoClock.observe(packet.timestamp, now);
    for (const ordered of this.#videoOrder.push(packet, now)) {
      for (const unit of this.#depacketizer.push(ordered)) this.#picture(unit, now);
    }
  }

  audio(packet: RtpInput, now: number): void {
    if (!this.#options.audio) return;
    this.#audioClock.observe(packet.timestamp, now);
    for (const ordered of this.#audioOrder.push(packet, now)) {
      if (ordered.payload.length === 0) continue;
      const frame = { track: AUDIO_TRACK, timeMs: this.#audioClock.time(ordered.timestamp), keyframe: true, data: Buffer.from(ordered.payload) };
      if (this.#origin !== null) this.#send(frame);
      else {
        this.#earlyAudio.push(frame);
        if (this.#earlyAudio.length > MAX_EARLY_AUDIO) this.#earlyAudio.shift();
      }
    }
    if (this.#origin === null) this.#mayStart(now);
  }

  #picture(unit: AccessUnit, now: number): void {
    for (const nal of unit.nalUnits) {
      if (nalType(nal) === NAL_SPS) this.#sps = nal;
      else if (nalType(nal) === NAL_PPS) this.#pps = nal;
    }
    const frame = { track: VIDEO_TRACK, timeMs: this.#videoClock.time(unit.timestamp), keyframe: unit.keyframe, data: avcSample(unit.nalUnits) };
    if (this.#origin !== null) return this.#send(frame);
    if (unit.keyframe && this.#sps && this.#pps) {
      this.#earlyVideo = [frame];
      this.#firstKeyframeAt ??= now;
    } else if (this.#earlyVideo.length > 0) this.#earlyVideo.push(frame);
    this.#mayStart(now);
  }

  /** Starts once a keyframe is here and audio has reached its instant (or waited long enough). */
  #mayStart(now: number): void {
    const first = this.#earlyVideo[0];
    if (!first || this.#firstKeyframeAt === null) return;
    const lastAudio = this.#earlyAudio.at(-1);
    const audioThere = !this.#options.audio || (lastAudio !== undefined && lastAudio.timeMs >= first.timeMs);
    if (!audioThere && now - this.#firstKeyframeAt < this.#options.audioWaitMs) return;
    this.#videoClock.freeze();
    this.#audioClock.freeze();
    this.#origin = first.timeMs;
    const size = spsPictureSize(this.#sps!) ?? FALLBACK_SIZE;
    this.#options.write(matroskaHeader({ avcC: avcDecoderConfiguration(this.#sps!, this.#pps!), ...size }, this.#options.audio));
    const early = [...this.#earlyVideo, ...this.#earlyAudio].sort((a, b) => a.timeMs - b.timeMs);
    this.#earlyVideo = [];
    this.#earlyAudio = [];
    for (const frame of early) this.#send(frame);
  }

  #send(frame: Frame): void {
    let streamMs = frame.timeMs - this.#origin!;
    if (frame.track === AUDIO_TRACK) {
      // Audio from before the first picture is dropped; a frame is never written twice.
      if (streamMs < 0 || streamMs <= this.#lastAudioMs) return;
      this.#lastAudioMs = streamMs;
    } else {
      streamMs = Math.max(streamMs, this.#lastVideoMs);
      this.#lastVideoMs = streamMs;
      if (frame.keyframe) this.#options.keyframe(streamMs);
    }
    this.#options.write(this.#clusters.block(frame.track, streamMs, frame.keyframe, frame.data));
  }
}
