/**
 * Recognizes the container and codecs of a producer's stream from its first bytes, before any
 * ffmpeg runs: garbage is refused at once with a clear error, and the transcode plan knows
 * whether the video can be copied (H.264) and whether there is audio at all.
 */
export type Container = 'webm' | 'mpegts' | 'flv';
export type VideoCodec = 'h264' | 'hevc' | 'vp8' | 'vp9' | 'av1' | 'other';
export type AudioCodec = 'aac' | 'opus' | 'mp3' | 'vorbis' | 'other';

export interface MediaInfo {
  readonly container: Container;
  /** null: the stream has no video track (or none was seen in the sniffed bytes). */
  readonly video: VideoCodec | null;
  readonly audio: AudioCodec | null;
}

export type SniffResult =
  | { readonly kind: 'media'; readonly media: MediaInfo }
  /** The container is known but the track list is not complete yet: send more bytes. */
  | { readonly kind: 'more'; readonly container: Container | null }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** Bytes we look at before deciding; a real stream declares its tracks well within this. */
export const SNIFF_LIMIT_BYTES = 256 * 1024;

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const TS_PACKET = 188;

export function detectContainer(head: Buffer): Container | null | 'short' {
  if (head.length < 4) return 'short';
  if (head.subarray(0, 4).equals(EBML_MAGIC)) return 'webm';
  if (head[0] === 0x46 && head[1] === 0x4c && head[2] === 0x56 && head[3] === 0x01) return 'flv';
  if (head[0] === 0x47) {
    if (head.length < TS_PACKET * 2 + 1) return 'short';
    if (head[TS_PACKET] === 0x47 && head[TS_PACKET * 2] === 0x47) return 'mpegts';
  }
  return null;
}

/**
 * Sniffs `head` (everything received so far). With `final` (the limit is reached or the
 * producer stopped) a known container with unknown tracks is accepted, codecs unknown.
 */
export function sniffMedia(head: Buffer, final = false): SniffResult {
  const container = detectContainer(head);
  if (container === 'short') return final ? unsupported() : { kind: 'more', container: null };
  if (container === null) return unsupported();
  const tracks = container === 'webm' ? webmTracks(head) : container === 'flv' ? flvTracks(head) : tsTracks(head);
  if (tracks) return { kind: 'media', media: { container, ...tracks } };
  if (final) return { kind: 'media', media: { container, video: 'other', audio: 'other' } };
  return { kind: 'more', container };
}

function unsupported(): SniffResult {
  return { kind: 'unsupported', reason: 'The stream is not WebM, MPEG-TS or FLV (its first bytes match none of them)' };
}

type Tracks = { video: VideoCodec | null; audio: AudioCodec | null };

/** Matroska/WebM: the CodecID elements (id 0x86) of the Tracks element, seen once a Cluster starts. */
function webmTracks(head: Buffer): Tracks | null {
  const clusterAt = head.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]));
  if (clusterAt < 0) return null;
  const tracks: Tracks = { video: null, audio: null };
  for (let at = head.indexOf(0x86); at >= 0 && at < clusterAt; at = head.indexOf(0x86, at + 1)) {
    const size = head[at + 1];
    if (size === undefined || (size & 0x80) === 0) continue;
    const length = size & 0x7f;
    const id = head.toString('latin1', at + 2, at + 2 + length);
    if (!/^[AV]_[A-Z0-9/._]+$/.test(id)) continue;
    if (id.startsWith('V_') && tracks.video === null) tracks.video = webmVideo(id);
    if (id.startsWith('A_') && tracks.audio === null) tracks.audio = webmAudio(id);
  }
  return tracks;
}

function webmVideo(id: string): VideoCodec {
  if (id === 'V_MPEG4/ISO/AVC') return 'h264';
  if (id === 'V_MPEGH/ISO/HEVC') return 'hevc';
  if (id === 'V_VP8') return 'vp8';
  if (id === 'V_VP9') return 'vp9';
  if (id === 'V_AV1') return 'av1';
  return 'other';
}

function webmAudio(id: string): AudioCodec {
  if (id === 'A_OPUS') return 'opus';
  if (id.startsWith('A_AAC')) return 'aac';
  if (id === 'A_MPEG/L3') return 'mp3';
  if (id === 'A_VORBIS') return 'vorbis';
  return 'other';
}

/** FLV: the header flags say which tracks exist; the first tag of each kind names its codec. */
function flvTracks(head: Buffer): Tracks | null {
  if (head.length < 13) return null;
  const hasAudio = (head[4]! & 0x04) !== 0;
  const hasVideo = (head[4]! & 0x01) !== 0;
  const tracks: Tracks = { video: null, audio: null };
  let at = head.readUInt32BE(5) + 4;
  while (at + 12 <= head.length && ((hasVideo && tracks.video === null) || (hasAudio && tracks.audio === null))) {
    const type = head[at]! & 0x1f;
    const size = head.readUIntBE(at + 1, 3);
    const first = head[at + 11]!;
    if (type === 9 && tracks.video === null) tracks.video = flvVideo(first);
    if (type === 8 && tracks.audio === null) tracks.audio = flvAudio(first >> 4);
    at += 11 + size + 4;
  }
  const videoKnown = !hasVideo || tracks.video !== null;
  const audioKnown = !hasAudio || tracks.audio !== null;
  return videoKnown && audioKnown ? tracks : null;
}

function flvVideo(first: number): VideoCodec {
  // Enhanced RTMP/FLV: the high bit marks a FourCC codec (hvc1, av01, vp09) instead of an id.
  if (first & 0x80) return 'other';
  const id = first & 0x0f;
  if (id === 7) return 'h264';
  if (id === 12) return 'hevc';
  return 'other';
}

function flvAudio(format: number): AudioCodec {
  if (format === 10) return 'aac';
  if (format === 2 || format === 14) return 'mp3';
  return 'other';
}

/** MPEG-TS: PAT -> PMT PID -> the stream types listed in the PMT. */
function tsTracks(head: Buffer): Tracks | null {
  let pmtPid: number | null = null;
  for (let at = 0; at + TS_PACKET <= head.length; at += TS_PACKET) {
    if (head[at] !== 0x47) return null;
    const pid = ((head[at + 1]! & 0x1f) << 8) | head[at + 2]!;
    const unitStart = (head[at + 1]! & 0x40) !== 0;
    if (!unitStart) continue;
    const section = tsSection(head.subarray(at, at + TS_PACKET));
    if (!section) continue;
    if (pid === 0 && pmtPid === null) pmtPid = patProgramMapPid(section);
    else if (pmtPid !== null && pid === pmtPid) return pmtTracks(section);
  }
  return null;
}

function tsSection(packet: Buffer): Buffer | null {
  const adaptation = (packet[3]! >> 4) & 0x3;
  let at = 4;
  if (adaptation === 2 || adaptation === 3) at += 1 + packet[4]!;
  if (adaptation === 2 || at >= packet.length) return null;
  at += 1 + packet[at]!; // pointer field
  return at < packet.length ? packet.subarray(at) : null;
}

function patProgramMapPid(section: Buffer): number | null {
  const length = ((section[1]! & 0x0f) << 8) | section[2]!;
  const end = Math.min(section.length, 3 + length - 4);
  for (let at = 8; at + 4 <= end; at += 4) {
    const program = section.readUInt16BE(at);
    if (program !== 0) return ((section[at + 2]! & 0x1f) << 8) | section[at + 3]!;
  }
  return null;
}

function pmtTracks(section: Buffer): Tracks {
  const tracks: Tracks = { video: null, audio: null };
  const length = ((section[1]! & 0x0f) << 8) | section[2]!;
  const end = Math.min(section.length, 3 + length - 4);
  const infoLength = ((section[10]! & 0x0f) << 8) | section[11]!;
  for (let at = 12 + infoLength; at + 5 <= end; ) {
    const type = section[at]!;
    const esInfo = ((section[at + 3]! & 0x0f) << 8) | section[at + 4]!;
    const video = tsVideo(type);
    const audio = tsAudio(type);
    if (video && tracks.video === null) tracks.video = video;
    if (audio && tracks.audio === null) tracks.audio = audio;
    at += 5 + esInfo;
  }
  return tracks;
}

function tsVideo(type: number): VideoCodec | null {
  if (type === 0x1b) return 'h264';
  if (type === 0x24) return 'hevc';
  if (type === 0x01 || type === 0x02 || type === 0x10) return 'other';
  return null;
}

function tsAudio(type: number): AudioCodec | null {
  if (type === 0x0f || type === 0x11) return 'aac';
  if (type === 0x03 || type === 0x04) return 'mp3';
  if (type === 0x81) return 'other';
  return null;
}
