/**
 * A minimal live Matroska writer for WHIP ingest: one H.264 track (AVC, length-prefixed NAL
 * units, avcC in CodecPrivate) and at most one Opus track, millisecond timecodes, Segment and
 * Clusters of unknown size (a live stream has no end to measure), one SimpleBlock per frame with
 * its keyframe flag, so ffmpeg reads it as it reads a browser's MediaRecorder upload and cuts
 * HLS segments at the keyframes. Pure byte building, unit-tested against ffprobe.
 */

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  DefaultDuration: 0x23e383,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
} as const;

/** The size field of an element whose end is not known (Segment, Cluster of a live stream). */
const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** SimpleBlock timecodes are int16 relative to their cluster's. */
const MAX_RELATIVE_MS = 32_767;
/**
 * A picture's duration (ns) for the video track: WebRTC's frame rate varies, but without one
 * ffmpeg's HLS muxer warns of a zero duration on every segment's last packet (and its probe
 * reads more pictures to guess a rate). Only durations use it; times are each block's own.
 */
const VIDEO_FRAME_NS = 33_333_333;
/** Opus's pre-roll after a seek (RFC 7845 recommends 80 ms), in ns. */
const OPUS_SEEK_PRE_ROLL_NS = 80_000_000;

export const VIDEO_TRACK = 1;
export const AUDIO_TRACK = 2;

function idBytes(id: number): Buffer {
  const bytes: number[] = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes);
}

/** An EBML variable-length size: the shortest form that holds it. */
export function vint(value: number): Buffer {
  for (let length = 1; length <= 8; length += 1) {
    // All ones in the value bits means "unknown": one more length.
    if (value < 2 ** (7 * length) - 1) {
      const out = Buffer.alloc(length);
      let rest = value;
      for (let i = length - 1; i >= 0; i -= 1) {
        out[i] = rest % 256;
        rest = Math.floor(rest / 256);
      }
      out[0]! |= 0x80 >> (length - 1);
      return out;
    }
  }
  throw new RangeError(`an EBML size of ${value} is too big`);
}

function element(id: number, data: Buffer): Buffer {
  return Buffer.concat([idBytes(id), vint(data.length), data]);
}

function master(id: number, children: Buffer[]): Buffer {
  return element(id, Buffer.concat(children));
}

function uint(id: number, value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0 || bytes.length === 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return element(id, Buffer.from(bytes));
}

function text(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'latin1'));
}

function float(id: number, value: number): Buffer {
  const data = Buffer.alloc(8);
  data.writeDoubleBE(value);
  return element(id, data);
}

/** What the stream header declares about the video. */
export interface MatroskaVideo {
  /** The AVCDecoderConfigurationRecord (see avcDecoderConfiguration). */
  readonly avcC: Buffer;
  readonly width: number;
  readonly height: number;
}

/** The EBML header, the Segment (open-ended), its Info and its Tracks: everything before the first Cluster. */
export function matroskaHeader(video: MatroskaVideo, audio: boolean): Buffer {
  const ebml = master(ID.EBML, [
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    // Not "webm": WebM has no H.264.
    text(ID.DocType, 'matroska'),
    uint(ID.DocTypeVersion, 4),
    uint(ID.DocTypeReadVersion, 2),
  ]);
  const info = master(ID.Info, [uint(ID.TimecodeScale, 1_000_000), text(ID.MuxingApp, 'chatserver'), text(ID.WritingApp, 'chatserver')]);
  const tracks = [
    master(ID.TrackEntry, [
      uint(ID.TrackNumber, VIDEO_TRACK),
      uint(ID.TrackUID, VIDEO_TRACK),
      uint(ID.TrackType, 1),
      uint(ID.FlagLacing, 0),
      text(ID.CodecID, 'V_MPEG4/ISO/AVC'),
      element(ID.CodecPrivate, video.avcC),
      uint(ID.DefaultDuration, VIDEO_FRAME_NS),
      master(ID.Video, [uint(ID.PixelWidth, video.width), uint(ID.PixelHeight, video.height)]),
    ]),
  ];
  if (audio) {
    tracks.push(
      master(ID.TrackEntry, [
        uint(ID.TrackNumber, AUDIO_TRACK),
        uint(ID.TrackUID, AUDIO_TRACK),
        uint(ID.TrackType, 2),
        uint(ID.FlagLacing, 0),
        text(ID.CodecID, 'A_OPUS'),
        element(ID.CodecPrivate, opusHead()),
        uint(ID.CodecDelay, 0),
        uint(ID.SeekPreRoll, OPUS_SEEK_PRE_ROLL_NS),
        master(ID.Audio, [float(ID.SamplingFrequency, 48_000), uint(ID.Channels, 2)]),
      ]),
    );
  }
  const segmentStart = Buffer.concat([idBytes(ID.Segment), UNKNOWN_SIZE]);
  return Buffer.concat([ebml, segmentStart, info, master(ID.Tracks, tracks)]);
}

/**
 * RFC 7845's identification header. WebRTC's Opus is 48 kHz and may be mono or stereo packet by
 * packet: a stereo decoder plays both. Pre-skip 0: the encoder's few ms of look-ahead are not
 * worth shifting the audio against the video.
 */
function opusHead(): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = 2;
  head.writeUInt16LE(0, 10);
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0;
  return head;
}

/**
 * The avcC record (ISO 14496-15) for one SPS and one PPS (NAL units without start codes), with
 * 4-byte NAL lengths. The profile, its compatibility flags and the level come from the SPS.
 */
export function avcDecoderConfiguration(sps: Buffer, pps: Buffer): Buffer {
  if (sps.length < 4) throw new RangeError('the SPS is too short');
  const head = Buffer.from([1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1]);
  const spsLength = Buffer.alloc(2);
  spsLength.writeUInt16BE(sps.length);
  const ppsLength = Buffer.alloc(2);
  ppsLength.writeUInt16BE(pps.length);
  return Buffer.concat([head, spsLength, sps, Buffer.from([1]), ppsLength, pps]);
}

/** NAL units (no start codes) as one AVC sample: each behind its 4-byte length. */
export function avcSample(nalUnits: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const nal of nalUnits) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(nal.length);
    parts.push(length, nal);
  }
  return Buffer.concat(parts);
}

/**
 * Writes frames as SimpleBlocks, opening a Cluster at every video keyframe (where ffmpeg and
 * players look for one) and wherever a block's timecode would not fit the cluster's int16 range.
 */
export class MatroskaClusters {
  #clusterMs: number | null = null;

  /** One frame at `timeMs` (the stream's time, from 0): the bytes to append. */
  block(track: number, timeMs: number, keyframe: boolean, frame: Buffer): Buffer {
    const time = Math.max(0, Math.round(timeMs));
    const parts: Buffer[] = [];
    const opensCluster = this.#clusterMs === null || (track === VIDEO_TRACK && keyframe) || Math.abs(time - this.#clusterMs) > MAX_RELATIVE_MS;
    if (opensCluster) {
      this.#clusterMs = time;
      parts.push(idBytes(ID.Cluster), UNKNOWN_SIZE, uint(ID.Timecode, time));
    }
    const head = Buffer.alloc(4);
    head[0] = 0x80 | track;
    head.writeInt16BE(time - this.#clusterMs!, 1);
    head[3] = keyframe ? 0x80 : 0;
    parts.push(element(ID.SimpleBlock, Buffer.concat([head, frame])));
    return Buffer.concat(parts);
  }
}
