import { describe, expect, it } from 'vitest';
import type { Fragment } from '../../src/hls/fmp4/Fmp4Splitter.js';
import type { Fmp4Track, InitSegment } from '../../src/hls/fmp4/initSegment.js';
import { Fmp4Error } from '../../src/hls/fmp4/Fmp4Error.js';
import { sampleMedia } from '../helpers/media.js';
import { ffprobeJson, fmp4Copy, fmp4Sample, split, splitClean, type Fmp4Recipe } from './fmp4Media.js';

interface ProbedStream {
  readonly codec_type: string;
  readonly codec_tag_string: string;
  readonly profile?: string;
  readonly level?: number;
  readonly time_base: string;
  readonly width?: number;
  readonly height?: number;
  readonly nb_read_frames?: string;
}

/** H.264 profile_idc by the name ffprobe gives it. */
const AVC_PROFILES: Readonly<Record<string, number>> = { Baseline: 66, 'Constrained Baseline': 66, Main: 77, High: 100 };
/** AAC audio object type by ffprobe's profile name. */
const AAC_TYPES: Readonly<Record<string, number>> = { LC: 2, HE_AAC: 5, HE_AACv2: 29 };

const streamsOf = async (bytes: Buffer, count = false): Promise<ProbedStream[]> =>
  (await ffprobeJson<{ streams: ProbedStream[] }>(bytes, [...(count ? ['-count_frames'] : []), '-show_streams'])).streams;

/** Each video packet's keyframe flag, in file (decode) order. */
async function videoKeyframes(bytes: Buffer): Promise<boolean[]> {
  const { packets } = await ffprobeJson<{ packets: Array<{ flags: string }> }>(bytes, ['-select_streams', 'v:0', '-show_entries', 'packet=flags']);
  return packets.map((packet) => packet.flags.startsWith('K'));
}

function track(init: InitSegment, kind: Fmp4Track['kind']): Fmp4Track {
  const found = init.tracks.find((candidate) => candidate.kind === kind);
  if (!found) throw new Error(`no ${kind} track`);
  return found;
}

/** Checks what ffprobe says about the same bytes: tracks, codecs, timescales, keyframes, times. */
async function checkStream(recipe: Fmp4Recipe): Promise<{ init: InitSegment; fragments: Fragment[] }> {
  const bytes = await fmp4Sample(recipe);
  const { init, fragments } = splitClean(bytes);
  const streams = await streamsOf(bytes);
  expect(init.tracks.map((t) => t.kind).sort()).toEqual(streams.map((s) => s.codec_type).sort());
  expect(Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]).length).toBeLessThanOrEqual(bytes.length);
  for (const stream of streams) {
    const described = track(init, stream.codec_type as Fmp4Track['kind']);
    expect(`1/${described.timescale}`).toBe(stream.time_base);
    if (stream.codec_type === 'video') {
      const level = stream.level!.toString(16).padStart(2, '0');
      expect(described.codec).toMatch(new RegExp(`^avc1\\.${AVC_PROFILES[stream.profile!]!.toString(16)}[0-9a-f]{2}${level}$`));
      expect([described.width, described.height]).toEqual([stream.width, stream.height]);
    } else {
      expect(described.codec).toBe(`mp4a.40.${AAC_TYPES[stream.profile!]}`);
    }
  }

  // Every track's fragments follow one another without a gap or an overlap.
  for (const { id } of init.tracks) {
    const times = fragments.flatMap((f) => (f.tracks.has(id) ? [f.tracks.get(id)!] : []));
    for (let n = 1; n < times.length; n++) expect(times[n]!.baseDecodeTime).toBe(times[n - 1]!.baseDecodeTime + times[n - 1]!.duration);
  }
  const reference = recipe.video ? track(init, 'video') : track(init, 'audio');
  const referenced = fragments.filter((f) => f.referenceTrack === reference.id);
  for (let n = 1; n < referenced.length; n++) expect(referenced[n]!.start).toBeCloseTo(referenced[n - 1]!.start + referenced[n - 1]!.duration, 9);
  const total = referenced.reduce((sum, f) => sum + f.duration, 0);

  if (recipe.video) {
    const { fps } = recipe.video;
    expect(total).toBeCloseTo(recipe.seconds, 6);
    expect(referenced.every((f) => Math.abs(f.firstSampleDuration - 1 / fps) < 1e-6)).toBe(true);
    // A fragment is independent exactly where ffprobe sees a keyframe, and every keyframe starts one.
    const keyframes = await videoKeyframes(bytes);
    const firstSamples: number[] = [];
    let index = 0;
    for (const f of fragments) {
      const samples = f.tracks.get(reference.id)?.samples ?? 0;
      if (samples > 0) firstSamples.push(index);
      index += samples;
    }
    expect(index).toBe(keyframes.length);
    expect(referenced.map((f) => f.independent)).toEqual(firstSamples.map((at) => keyframes[at]));
    expect(keyframes.flatMap((key, at) => (key ? [at] : [])).every((at) => firstSamples.includes(at))).toBe(true);
    // 200 ms fragments: never longer than the first frame past 200 ms, and shorter only when a keyframe cuts one.
    referenced.forEach((f, n) => {
      expect(f.duration).toBeLessThan(0.2 + 1 / fps + 1e-6);
      const cutByKeyframe = n === referenced.length - 1 || referenced[n + 1]!.independent;
      if (!cutByKeyframe) expect(f.duration).toBeGreaterThanOrEqual(0.2 - 1e-6);
    });
  } else {
    expect(fragments.every((f) => f.independent)).toBe(true);
    expect(total).toBeGreaterThan(recipe.seconds - 0.05);
    expect(total).toBeLessThan(recipe.seconds + 0.05);
  }

  // The init segment and the fragments, concatenated, are the same media to a decoder.
  const rebuilt = Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]);
  const counted = (list: ProbedStream[]): Array<[string, string | undefined]> => list.map((s) => [s.codec_type, s.nb_read_frames]);
  expect(counted(await streamsOf(rebuilt, true))).toEqual(counted(await streamsOf(bytes, true)));
  return { init, fragments };
}

describe('fragmented MP4 from ffmpeg', () => {
  it('H.264 30 fps + AAC: one init with avc1 and mp4a, 200 ms fragments, keyframes independent', async () => {
    const { init, fragments } = await checkStream({ video: { fps: 30, gop: 30 }, audio: true, seconds: 3 });
    expect(init.tracks.map((t) => t.codec.slice(0, 4))).toEqual(['avc1', 'mp4a']);
    expect(init.tracks[1]!.timescale).toBe(48_000);
    expect(fragments.filter((f) => f.independent).map((f) => f.start)).toEqual([0, 1, 2]);
  });

  it('H.264 24 fps, video only', async () => {
    const { init } = await checkStream({ video: { fps: 24, gop: 24 }, seconds: 3 });
    expect(init.tracks).toHaveLength(1);
  });

  it('H.264 25 fps + AAC with a keyframe every 2 s', () => checkStream({ video: { fps: 25, gop: 50 }, audio: true, seconds: 4 }));

  it('AAC only: every fragment independent', async () => {
    const { init } = await checkStream({ audio: true, seconds: 3 });
    expect(init.tracks.map((t) => t.kind)).toEqual(['audio']);
  });
});

describe('other codecs', () => {
  it('HEVC + Opus: hvc1 codec string from hvcC, opus', async () => {
    const bytes = await fmp4Sample({ video: { fps: 25, gop: 25 }, audio: true, seconds: 1, hevcOpus: true });
    const { init, fragments } = splitClean(bytes);
    const [video] = (await streamsOf(bytes)).filter((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ codec_tag_string: 'hvc1', profile: 'Main' });
    // Main profile (1), compatible with Main and Main 10 (bits 1 and 2: 6), main tier, ffprobe's level.
    expect(init.tracks.map((t) => t.codec)).toEqual([expect.stringMatching(new RegExp(`^hvc1\\.1\\.6\\.L${video!.level}(\\.[0-9A-F]{1,2})*$`)), 'opus']);
    expect(fragments.filter((f) => f.independent).map((f) => f.start)).toEqual([0]);
    expect(fragments.reduce((sum, f) => sum + (f.referenceTrack === 1 ? f.duration : 0), 0)).toBeCloseTo(1, 6);
  });
});

describe('ffmpeg copying H.264 + AAC from MPEG-TS', () => {
  it('needs +delay_moov: with empty_moov alone the moov has no AudioSpecificConfig', async () => {
    const ts = await sampleMedia('ts-h264-aac', 2);
    const { events } = split(await fmp4Copy(ts, ''));
    expect(events).toHaveLength(1);
    const [only] = events;
    expect(only && 'error' in only && only.error).toBeInstanceOf(Fmp4Error);
    expect(only && 'error' in only && only.error.message).toMatch(/esds has no AudioSpecificConfig.*\+delay_moov/);

    const delayed = await fmp4Copy(ts, '+delay_moov');
    const { init, fragments } = splitClean(delayed);
    expect(init.tracks.map((t) => t.codec)).toEqual([expect.stringMatching(/^avc1\.[0-9a-f]{6}$/), 'mp4a.40.2']);
    expect(fragments[0]!.independent).toBe(true);
    const rebuilt = Buffer.concat([init.bytes, ...fragments.map((f) => f.bytes)]);
    const counted = (list: ProbedStream[]): Array<[string, string | undefined]> => list.map((s) => [s.codec_type, s.nb_read_frames]);
    expect(counted(await streamsOf(rebuilt, true))).toEqual(counted(await streamsOf(ts, true)));
  });
});

describe('Fmp4Splitter chunking', () => {
  it('gives the same events for one chunk, one-byte chunks and random chunks', async () => {
    const bytes = await fmp4Sample({ video: { fps: 30, gop: 30 }, audio: true, seconds: 3 });
    const whole = split(bytes);
    expect(whole.events.length).toBeGreaterThan(10);
    expect(split(bytes, [1])).toEqual(whole);
    for (let seed = 1; seed <= 5; seed++) {
      const sizes = Array.from({ length: 97 }, (_, i) => 1 + ((i * 7919 * seed) % (seed * 3000)));
      expect(split(bytes, sizes)).toEqual(whole);
    }
  });

  it('emits bytes that later input does not overwrite', async () => {
    const bytes = await fmp4Sample({ video: { fps: 30, gop: 30 }, audio: true, seconds: 3 });
    const { events } = split(bytes, [4096]);
    const rebuilt = Buffer.concat(events.map((event) => ('init' in event ? event.init.bytes : 'fragment' in event ? event.fragment.bytes : Buffer.alloc(0))));
    // ffmpeg's last box is the mfra trailer, which the splitter drops.
    expect(rebuilt.equals(bytes.subarray(0, rebuilt.length))).toBe(true);
    expect(bytes.subarray(rebuilt.length, rebuilt.length + 8).toString('latin1', 4)).toBe('mfra');
  });

  it('discards and reports an incomplete trailing box, never emitting it', async () => {
    const bytes = await fmp4Sample({ video: { fps: 30, gop: 30 }, audio: true, seconds: 3 });
    const whole = split(bytes).events;
    for (const cut of [5, 20, 700, 1500, Math.floor(bytes.length / 2), bytes.length - 700]) {
      const { events, discarded } = split(bytes.subarray(0, cut), [333]);
      expect(events).toEqual(whole.slice(0, events.length));
      const emitted = events.reduce((sum, event) => sum + ('init' in event ? event.init.bytes.length : 'fragment' in event ? event.fragment.bytes.length : 0), 0);
      expect(discarded).toBe(cut - emitted);
      expect(discarded).toBeGreaterThan(0);
    }
  });
});
