/**
 * Checks a WHIP client's SDP offer before any WebRTC object exists: junk gets 400 and an offer
 * this server cannot take (no video, no H.264, audio that is not Opus, a data channel) gets 406
 * with the reason, without binding a UDP port or taking the room's producer slot. Pure, so it is
 * unit-tested line by line; the WebRTC stack parses the offer again once it passed.
 */

/** An SDP offer is a few KiB; OBS and browsers stay well under this. */
export const MAX_OFFER_BYTES = 64 * 1024;

export type OfferCheck =
  | { readonly ok: true; readonly video: { readonly codecs: readonly string[] }; readonly audio: boolean }
  | { readonly ok: false; readonly code: 'SDP_INVALID' | 'OFFER_NOT_ACCEPTABLE'; readonly message: string };

interface MediaSection {
  readonly kind: string;
  readonly port: number;
  readonly proto: string;
  /** Codec names (upper case) by payload type, from a=rtpmap. */
  readonly codecs: Map<string, string>;
  /** a=fmtp parameters by payload type. */
  readonly formats: Map<string, string>;
  direction: string | null;
  ufrag: boolean;
  pwd: boolean;
  fingerprint: boolean;
}

const LINE = /^([a-z])=(.*)$/;
const MEDIA_LINE = /^(\w+) (\d+)(?:\/\d+)? (\S+)(?: \S+)*$/;
const DIRECTIONS = new Set(['sendonly', 'sendrecv', 'recvonly', 'inactive']);

function invalid(message: string): OfferCheck {
  return { ok: false, code: 'SDP_INVALID', message };
}

function refused(message: string): OfferCheck {
  return { ok: false, code: 'OFFER_NOT_ACCEPTABLE', message };
}

/** Parses the offer's lines into sections; a string is the reason it is not SDP. */
function parse(sdp: string): { session: MediaSection; media: MediaSection[] } | string {
  const lines = sdp.split(/\r?\n/).filter((line) => line !== '');
  if (lines[0] !== 'v=0') return 'The body does not start with v=0: it is not SDP';
  const section = (kind: string, port: number, proto: string): MediaSection => ({ kind, port, proto, codecs: new Map(), formats: new Map(), direction: null, ufrag: false, pwd: false, fingerprint: false });
  const session = section('session', 0, '');
  const media: MediaSection[] = [];
  let current = session;
  for (const [index, line] of lines.entries()) {
    const match = LINE.exec(line);
    if (!match) return `Line ${index + 1} is not "<letter>=<value>": ${JSON.stringify(line.slice(0, 60))}`;
    const [, type, value] = match as unknown as [string, string, string];
    if (type === 'm') {
      const m = MEDIA_LINE.exec(value);
      if (!m) return `Line ${index + 1} is not a valid m= line: ${JSON.stringify(line.slice(0, 60))}`;
      current = section(m[1]!, Number(m[2]), m[3]!);
      media.push(current);
    } else if (type === 'a') attribute(current, value);
  }
  return { session, media };
}

function attribute(section: MediaSection, value: string): void {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  if (DIRECTIONS.has(name)) section.direction = name;
  else if (name === 'ice-ufrag') section.ufrag = rest !== '';
  else if (name === 'ice-pwd') section.pwd = rest !== '';
  else if (name === 'fingerprint') section.fingerprint = rest !== '';
  else if (name === 'rtpmap' || name === 'fmtp') {
    const space = rest.indexOf(' ');
    if (space <= 0) return;
    const payloadType = rest.slice(0, space);
    if (name === 'rtpmap') section.codecs.set(payloadType, rest.slice(space + 1).split('/', 1)[0]!.toUpperCase());
    else section.formats.set(payloadType, rest.slice(space + 1));
  }
}

/** H.264 in packetization mode 1 (FU-A fragments), the mode every WebRTC sender uses. */
function h264Mode1(section: MediaSection): boolean {
  for (const [payloadType, codec] of section.codecs) {
    if (codec !== 'H264') continue;
    const format = section.formats.get(payloadType) ?? '';
    if (/(^|;)\s*packetization-mode=1\s*(;|$)/.test(format)) return true;
  }
  return false;
}

function codecList(section: MediaSection): string[] {
  return [...new Set([...section.codecs.values()].filter((codec) => !['RTX', 'RED', 'ULPFEC', 'FLEXFEC-03'].includes(codec)))];
}

/** The check behind POST /whip (see the file comment). */
export function checkOffer(sdp: string): OfferCheck {
  if (sdp.includes('\0')) return invalid('The body is not text');
  const parsed = parse(sdp);
  if (typeof parsed === 'string') return invalid(parsed);
  const { session, media } = parsed;
  if (media.length === 0) return invalid('The offer has no m= section: add a video track before creating the offer');
  const active = media.filter((section) => section.port !== 0);
  const other = active.find((section) => section.kind !== 'video' && section.kind !== 'audio');
  if (other) return refused(`The offer has a ${other.kind} section: WHIP here takes one video and at most one audio track, no data channel`);
  const videos = active.filter((section) => section.kind === 'video');
  const audios = active.filter((section) => section.kind === 'audio');
  if (videos.length === 0) return refused('The offer has no video: send one H.264 video track (and Opus audio)');
  if (videos.length > 1 || audios.length > 1) return refused(`The offer has ${videos.length} video and ${audios.length} audio tracks: send one video and at most one audio track`);
  for (const section of active) {
    if (!section.proto.includes('SAVPF')) return refused(`The ${section.kind} section uses ${section.proto}: WebRTC ingest needs UDP/TLS/RTP/SAVPF (DTLS-SRTP)`);
    const direction = section.direction ?? session.direction ?? 'sendrecv';
    if (direction !== 'sendonly' && direction !== 'sendrecv') return refused(`The ${section.kind} track is ${direction}: a WHIP client sends (sendonly)`);
    if (!(section.ufrag || session.ufrag) || !(section.pwd || session.pwd)) return invalid(`The ${section.kind} section has no a=ice-ufrag and a=ice-pwd`);
    if (!(section.fingerprint || session.fingerprint)) return invalid(`The ${section.kind} section has no a=fingerprint (DTLS)`);
  }
  const video = videos[0]!;
  if (!h264Mode1(video)) {
    const offered = codecList(video);
    return refused(`The video codecs offered (${offered.join(', ') || 'none'}) do not include H.264 with packetization-mode=1: choose H.264 in the encoder settings`);
  }
  const audio = audios[0];
  if (audio && !codecList(audio).includes('OPUS')) {
    return refused(`The audio codecs offered (${codecList(audio).join(', ') || 'none'}) do not include Opus: choose Opus, or send no audio`);
  }
  return { ok: true, video: { codecs: codecList(video) }, audio: audio !== undefined };
}
