import { childBoxes, childrenOfType, fullBox, requireChild, type Box } from './boxes.js';
import { Fmp4Error } from './Fmp4Error.js';
import type { Fmp4Track, InitSegment } from './initSegment.js';
import { readTrackRuns, type TrackRuns, type TrafDefaults } from './trackRun.js';

export interface FragmentTrack {
  /** tfdt: decode time of the first sample, in the track's timescale. */
  readonly baseDecodeTime: number;
  /** Sum of the sample durations, in the track's timescale. */
  readonly duration: number;
  readonly samples: number;
}

export interface FragmentInfo {
  /** Media time of the first sample of the reference track (video if any, else audio), in seconds (tfdt / timescale). */
  readonly start: number;
  /** Sum of the reference track's sample durations in this fragment, seconds. */
  readonly duration: number;
  /** The reference track's first sample is a sync sample; an audio-only stream is always independent. */
  readonly independent: boolean;
  /** Per track id (usable tracks only): decode time, duration and sample count of this fragment. */
  readonly tracks: ReadonlyMap<number, FragmentTrack>;
  /** The reference track's first sample duration in seconds (the frame time), for rounding part targets. */
  readonly firstSampleDuration: number;
  /**
   * The track the times above are of: the video track, or, in a fragment that carries no video
   * sample (ffmpeg's last fragment may hold only the audio tail), the first audio track, in
   * which case the fragment is not independent unless the stream has no video at all.
   */
  readonly referenceTrack: number;
}

/** tfhd flags (ISO/IEC 14496-12 8.8.7). */
const TFHD = { baseDataOffset: 0x01, descriptionIndex: 0x02, duration: 0x08, size: 0x10, flags: 0x20, baseIsMoof: 0x2_0000 } as const;


/**
 * Reads one fragment (a moof and its mdat): where each track's samples start in time, how long
 * they last, and whether the fragment starts with a sync sample a player can begin decoding at.
 */
export function parseFragment(moofAndMdat: Buffer, init: InitSegment): FragmentInfo {
  const [moof, mdat, extra] = [...childBoxes(moofAndMdat, '')];
  if (moof?.type !== 'moof') throw new Fmp4Error('UNEXPECTED_BOX', `A fragment starts with moof, not ${moof?.type ?? 'nothing'}`);
  if (mdat?.type !== 'mdat' || extra) throw new Fmp4Error('UNEXPECTED_BOX', `A fragment is a moof followed by its mdat, not moof ${[mdat, extra].filter(Boolean).map((box) => box!.type).join(' ')}`);
  const mdatData = { start: mdat.offset + (mdat.size - mdat.payload.length), end: mdat.offset + mdat.size };
  const runs = new Map<number, TrackRuns & { readonly baseDecodeTime: number }>();
  for (const traf of childrenOfType(moof, 'traf')) {
    const { track, defaults } = readTfhd(requireChild(traf, 'tfhd'), init);
    if (!track) continue;
    if (runs.has(track.id)) throw new Fmp4Error('UNSUPPORTED', `${moof.path} has two trafs for track ${track.id}`);
    const tracksRuns = readTrackRuns(childrenOfType(traf, 'trun'), defaults, mdatData);
    if (tracksRuns.samples > 0) runs.set(track.id, { ...tracksRuns, baseDecodeTime: decodeTime(requireChild(traf, 'tfdt', `track ${track.id}'s decode time`)) });
  }
  const video = init.tracks.find((track) => track.kind === 'video');
  const reference = [video, ...init.tracks].find((track): track is Fmp4Track => track !== undefined && runs.has(track.id));
  if (!reference) throw new Fmp4Error('MALFORMED', `${moof.path} carries no sample of a usable track`);
  const referenceRuns = runs.get(reference.id)!;
  const tracks = new Map<number, FragmentTrack>();
  for (const [id, { baseDecodeTime, duration, samples }] of runs) tracks.set(id, { baseDecodeTime, duration, samples });
  return {
    start: referenceRuns.baseDecodeTime / reference.timescale,
    duration: referenceRuns.duration / reference.timescale,
    independent: video ? reference === video && referenceRuns.firstSampleIsSync : true,
    tracks,
    firstSampleDuration: referenceRuns.firstSampleDuration / reference.timescale,
    referenceTrack: reference.id,
  };
}

function readTfhd(tfhd: Box, init: InitSegment): { track: Fmp4Track | undefined; defaults: TrafDefaults } {
  const { flags, fields } = fullBox(tfhd);
  const id = fields.u32();
  if (!init.trackIds.has(id)) throw new Fmp4Error('MALFORMED', `${tfhd.path} names track ${id}, which the init segment does not have`);
  const track = init.tracks.find((candidate) => candidate.id === id);
  if (flags & TFHD.baseDataOffset) fields.skip(8);
  if (flags & TFHD.descriptionIndex) fields.skip(4);
  const duration = flags & TFHD.duration ? fields.u32() : (track?.defaultSampleDuration ?? 0);
  const size = flags & TFHD.size ? fields.u32() : undefined;
  const sampleFlags = flags & TFHD.flags ? fields.u32() : (track?.defaultSampleFlags ?? 0);
  return { track, defaults: { duration, size, flags: sampleFlags, offsetsFromMoof: (flags & TFHD.baseIsMoof) !== 0 && (flags & TFHD.baseDataOffset) === 0 } };
}

function decodeTime(tfdt: Box): number {
  const { version, fields } = fullBox(tfdt);
  return version === 1 ? fields.u64() : fields.u32();
}
