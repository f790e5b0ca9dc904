import { childBoxes, childrenOfType, fullBox, requireChild, type Box } from './boxes.js';
import { Fmp4Error } from './Fmp4Error.js';
import { describeSampleEntry, firstSampleEntry } from './sampleEntry.js';

export interface Fmp4Track {
  readonly id: number;
  readonly kind: 'video' | 'audio';
  /** Units per second of this track's times (mdhd). */
  readonly timescale: number;
  /** RFC 6381 codec string for the HLS CODECS attribute: avc1.PPCCLL, hvc1..., mp4a.40.<AOT>, opus... */
  readonly codec: string;
  readonly width?: number;
  readonly height?: number;
  /** trex defaults, used when tfhd/trun do not carry a value. */
  readonly defaultSampleDuration: number;
  readonly defaultSampleFlags: number;
}

export interface InitSegment {
  /** ftyp + moov, byte for byte as written: the EXT-X-MAP every part and segment needs. */
  readonly bytes: Buffer;
  /** The usable tracks (video, audio, with a codec described), in moov order. */
  readonly tracks: readonly Fmp4Track[];
  /** Every track id of the moov, usable or not: fragments may carry the others, which are ignored. */
  readonly trackIds: ReadonlySet<number>;
  /** Why each unusable track was left out (`track 3: handler 'subt' is neither video nor audio`). */
  readonly skipped: readonly string[];
}

const KINDS: Readonly<Record<string, 'video' | 'audio'>> = { vide: 'video', soun: 'audio' };

/**
 * Reads an init segment (ftyp then moov) of a fragmented MP4: the tracks, their timescales and
 * codecs, and the trex defaults the fragments rely on.
 */
export function parseInitSegment(bytes: Buffer): InitSegment {
  const top = [...childBoxes(bytes, '')];
  if (top[0]?.type !== 'ftyp') throw new Fmp4Error('UNEXPECTED_BOX', `An init segment starts with ftyp, not ${top[0]?.type ?? 'nothing'}`);
  const moovs = top.filter((box) => box.type === 'moov');
  if (moovs.length !== 1) throw new Fmp4Error(moovs.length ? 'UNEXPECTED_BOX' : 'MALFORMED', `An init segment holds one moov, not ${moovs.length}`);
  const moov = moovs[0]!;
  const mvex = requireChild(moov, 'mvex', 'not a fragmented MP4: write it with -movflags +frag_keyframe+empty_moov');
  const defaults = new Map(childrenOfType(mvex, 'trex').map(readTrex));
  const tracks: Fmp4Track[] = [];
  const trackIds = new Set<number>();
  const skipped: string[] = [];
  for (const trak of childrenOfType(moov, 'trak')) {
    const described = readTrack(trak, defaults);
    if (trackIds.has(described.id)) throw new Fmp4Error('MALFORMED', `moov has two tracks with id ${described.id}`);
    trackIds.add(described.id);
    if ('skip' in described) skipped.push(`track ${described.id}: ${described.skip}`);
    else tracks.push(described);
  }
  if (tracks.length === 0) throw new Fmp4Error('UNSUPPORTED', `No usable video or audio track in the init segment${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  return { bytes, tracks, trackIds, skipped };
}

interface TrackDefaults {
  readonly duration: number;
  readonly flags: number;
}

function readTrex(trex: Box): [number, TrackDefaults] {
  const { fields } = fullBox(trex);
  const id = fields.u32();
  fields.skip(4); // default_sample_description_index
  const duration = fields.u32();
  fields.skip(4); // default_sample_size
  return [id, { duration, flags: fields.u32() }];
}

function readTrack(trak: Box, defaults: ReadonlyMap<number, TrackDefaults>): Fmp4Track | { readonly id: number; readonly skip: string } {
  const id = trackId(requireChild(trak, 'tkhd'));
  const mdia = requireChild(trak, 'mdia');
  const handler = handlerType(requireChild(mdia, 'hdlr'));
  const kind = KINDS[handler];
  if (!kind) return { id, skip: `handler ${JSON.stringify(handler)} is neither video nor audio` };
  const timescale = mediaTimescale(requireChild(mdia, 'mdhd'));
  const entry = firstSampleEntry(requireChild(requireChild(requireChild(mdia, 'minf'), 'stbl'), 'stsd'));
  const info = describeSampleEntry(entry, kind);
  if (!info && kind === 'video') throw new Fmp4Error('UNSUPPORTED', `Track ${id}: video codec ${JSON.stringify(entry.type)} is not one this server describes (H.264 or HEVC)`);
  // Without its audio a stream still plays; without its video, keyframes could not be told.
  if (!info) return { id, skip: `audio codec ${JSON.stringify(entry.type)} is not one this server describes` };
  const trex = defaults.get(id);
  if (!trex) throw new Fmp4Error('MALFORMED', `moov/mvex has no trex for track ${id}`);
  return { id, kind, timescale, ...info, defaultSampleDuration: trex.duration, defaultSampleFlags: trex.flags };
}

function trackId(tkhd: Box): number {
  const { version, fields } = fullBox(tkhd);
  fields.skip(version === 1 ? 16 : 8); // creation and modification times
  const id = fields.u32();
  if (id === 0) throw new Fmp4Error('MALFORMED', `${tkhd.path}: track id 0 is reserved`);
  return id;
}

function handlerType(hdlr: Box): string {
  const { fields } = fullBox(hdlr);
  fields.skip(4); // pre_defined
  return fields.bytesOf(4).toString('latin1');
}

function mediaTimescale(mdhd: Box): number {
  const { version, fields } = fullBox(mdhd);
  fields.skip(version === 1 ? 16 : 8);
  const timescale = fields.u32();
  if (timescale === 0) throw new Fmp4Error('MALFORMED', `${mdhd.path}: timescale 0`);
  return timescale;
}
