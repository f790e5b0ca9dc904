import { fullBox, type Box } from './boxes.js';
import { Fmp4Error } from './Fmp4Error.js';

/** What a traf's tfhd says, with the trex defaults filled in where it is silent. */
export interface TrafDefaults {
  readonly duration: number;
  readonly size: number | undefined;
  readonly flags: number;
  /** Sample data offsets count from the moof's first byte (what ffmpeg's default_base_moof writes). */
  readonly offsetsFromMoof: boolean;
}

/** One track's runs in a fragment, summed. */
export interface TrackRuns {
  readonly duration: number;
  readonly samples: number;
  readonly firstSampleDuration: number;
  readonly firstSampleIsSync: boolean;
}

/** trun flags (ISO/IEC 14496-12 8.8.8). */
const TRUN = { dataOffset: 0x01, firstFlags: 0x04, duration: 0x100, size: 0x200, flags: 0x400, compositionOffset: 0x800 } as const;
/** sample_is_non_sync_sample in the sample flags (8.8.3.1). */
const NON_SYNC = 0x1_0000;

/**
 * Sums a traf's truns. Where a run says where its samples are (a data offset from the moof),
 * they must lie inside the mdat: a fragment whose samples point elsewhere would decode as garbage.
 */
export function readTrackRuns(truns: readonly Box[], defaults: TrafDefaults, mdat: { readonly start: number; readonly end: number }): TrackRuns {
  let duration = 0;
  let samples = 0;
  let first: { duration: number; flags: number } | undefined;
  for (const trun of truns) {
    const { flags, fields } = fullBox(trun);
    const count = fields.u32();
    const dataOffset = flags & TRUN.dataOffset ? fields.i32() : undefined;
    const firstFlags = flags & TRUN.firstFlags ? fields.u32() : undefined;
    const perSample = [TRUN.duration, TRUN.size, TRUN.flags, TRUN.compositionOffset].filter((bit) => flags & bit).length * 4;
    fields.expect(count, perSample, 'samples');
    if (count === 0) continue;
    let runDuration = 0;
    let runBytes = 0;
    let firstSample: { duration: number; flags: number } | undefined;
    if (perSample === 0) {
      runDuration = count * defaults.duration;
      runBytes = count * (defaults.size ?? 0);
      firstSample = { duration: defaults.duration, flags: firstFlags ?? defaults.flags };
    } else {
      for (let index = 0; index < count; index++) {
        const sampleDuration = flags & TRUN.duration ? fields.u32() : defaults.duration;
        const sampleSize = flags & TRUN.size ? fields.u32() : (defaults.size ?? 0);
        const sampleFlags = flags & TRUN.flags ? fields.u32() : defaults.flags;
        if (flags & TRUN.compositionOffset) fields.skip(4);
        runDuration += sampleDuration;
        runBytes += sampleSize;
        if (index === 0) firstSample = { duration: sampleDuration, flags: firstFlags ?? sampleFlags };
      }
    }
    if (dataOffset !== undefined && defaults.offsetsFromMoof && (flags & TRUN.size || defaults.size !== undefined)) {
      const end = dataOffset + runBytes;
      if (dataOffset < mdat.start || end > mdat.end) throw new Fmp4Error('MALFORMED', `${trun.path}: samples at bytes ${dataOffset}-${end} of the fragment, outside its mdat's data (${mdat.start}-${mdat.end})`);
    }
    first ??= firstSample;
    duration += runDuration;
    samples += count;
  }
  return { duration, samples, firstSampleDuration: first?.duration ?? 0, firstSampleIsSync: first ? (first.flags & NON_SYNC) === 0 : false };
}
