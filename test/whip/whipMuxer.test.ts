import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffMedia } from '../../src/hls/mediaSniffer.js';
import { vint } from '../../src/whip/matroska.js';
import type { RtpInput } from '../../src/whip/RtpReorder.js';
import { WhipMuxer } from '../../src/whip/WhipMuxer.js';
import { probe, probePackets, testFfmpeg } from '../helpers/media.js';
import { accessUnits, annexBNalUnits, packetizeH264 } from './rtpPackets.js';

const run = promisify(execFile);

/** One RTP packet as it arrived. */
interface Arrival {
  readonly kind: 'video' | 'audio';
  readonly packet: RtpInput;
  readonly at: number;
}

/** A 20 ms Opus frame (CELT, fullband): ffprobe reads packets without decoding them. */
const OPUS_FRAME = Buffer.from([0xfc, 0xff, 0xfe]);

/** The sender's pacer sends a picture's packets this far apart at most (a keyframe's take a while). */
const PACING_MS = 8;

/**
 * What a browser sends: 25 fps H.264 (x264's keyframe every 25 pictures) and 20 ms Opus frames,
 * with random RTP starts, arriving `videoDelayMs` / `audioDelayMs` after capture, the video's
 * packets paced (a big keyframe's last packets come well after its first).
 */
function browserArrivals(h264: Buffer, options: { videoDelayMs: number; audioDelayMs: number; audioFromMs: number; seconds: number }): Arrival[] {
  const units = accessUnits(annexBNalUnits(h264));
  const video = packetizeH264(units, { firstSequence: 65_000, firstTimestamp: 4_294_000_000, ticksPerFrame: 3_600 });
  const arrivals: Arrival[] = [];
  const videoStart = video[0]!.timestamp;
  let last = -Infinity;
  for (const packet of video) {
    const captureMs = (((packet.timestamp - videoStart) >>> 0) / 90_000) * 1000;
    last = Math.max(captureMs + options.videoDelayMs, last + PACING_MS);
    arrivals.push({ kind: 'video', packet, at: last });
  }
  for (let ms = options.audioFromMs, n = 0; ms < options.seconds * 1000; ms += 20, n += 1) {
    const packet = { sequence: (30_000 + n) & 0xffff, timestamp: (123_456 + n * 960) >>> 0, marker: n === 0, payload: OPUS_FRAME };
    arrivals.push({ kind: 'audio', packet, at: ms + options.audioDelayMs });
  }
  return arrivals.sort((a, b) => a.at - b.at);
}

function mux(arrivals: readonly Arrival[], audio = true): { bytes: Buffer; keyframes: number[] } {
  const chunks: Buffer[] = [];
  const keyframes: number[] = [];
  const muxer = new WhipMuxer({ audio, audioWaitMs: 500, write: (chunk) => chunks.push(chunk), keyframe: (ms) => keyframes.push(ms), broken: () => undefined });
  for (const { kind, packet, at } of arrivals) muxer[kind](packet, at);
  return { bytes: Buffer.concat(chunks), keyframes };
}

describe('WhipMuxer: RTP in, Matroska out (read back with ffprobe)', () => {
  let dir = '';
  let h264 = Buffer.alloc(0);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'whipmux-'));
    const { stdout } = await run(
      await testFfmpeg(),
      ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '3', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-g', '25', '-bf', '0', '-f', 'h264', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
    );
    h264 = stdout;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = async (name: string, bytes: Buffer) => {
    const target = path.join(dir, name);
    await writeFile(target, bytes);
    return target;
  };

  it('starts at the first keyframe with audio from that instant, keyframes flagged, times from 0', async () => {
    // Audio started before the video (and arrives sooner): what came before the keyframe is dropped.
    const { bytes, keyframes } = mux(browserArrivals(h264, { videoDelayMs: 30, audioDelayMs: 30, audioFromMs: -300, seconds: 3 }));
    expect(sniffMedia(bytes, false)).toMatchObject({ kind: 'media', media: { container: 'webm', video: 'h264', audio: 'opus' } });
    const target = await file('both.mkv', bytes);
    const probed = await probe(target);
    expect(probed.streams.map((s) => [s.codec_type, s.codec_name, s.width, s.height])).toEqual([
      ['video', 'h264', 320, 240],
      ['audio', 'opus', undefined, undefined],
    ]);
    const packets = await probePackets(target);
    const video = packets.filter((p) => p.codec_type === 'video');
    const audio = packets.filter((p) => p.codec_type === 'audio');
    expect(video).toHaveLength(75);
    expect(video[0]).toMatchObject({ pts_time: 0, keyframe: true });
    expect(video.filter((p) => p.keyframe).map((p) => p.pts_time)).toEqual([0, 1, 2]);
    expect(keyframes).toEqual([0, 1_000, 2_000]);
    // Audio and video captured at the same instant have the same time (to the ms).
    expect(audio[0]!.pts_time).toBeGreaterThanOrEqual(0);
    expect(audio[0]!.pts_time).toBeLessThan(0.021);
    expect(audio.length).toBeGreaterThan(140);
    expect(video.at(-1)!.pts_time).toBeCloseTo(2.96, 2);
  });

  it('waits (boundedly) for audio to reach the first keyframe, and writes video alone when there is none', async () => {
    // Audio starts 200 ms after the first keyframe: the stream still starts at the keyframe, with audio from 0.2 s.
    const late = mux(browserArrivals(h264, { videoDelayMs: 30, audioDelayMs: 30, audioFromMs: 200, seconds: 2 }));
    const packets = await probePackets(await file('late.mkv', late.bytes));
    expect(packets.find((p) => p.codec_type === 'video')).toMatchObject({ pts_time: 0, keyframe: true });
    expect(packets.find((p) => p.codec_type === 'audio')!.pts_time).toBeCloseTo(0.2, 2);
    const silent = mux(
      browserArrivals(h264, { videoDelayMs: 30, audioDelayMs: 30, audioFromMs: 10_000, seconds: 2 }).filter((a) => a.kind === 'video'),
      false,
    );
    expect((await probe(await file('video.mkv', silent.bytes))).streams.map((s) => s.codec_type)).toEqual(['video']);
  });

  it('recovers from lost and reordered packets: a keyframe after a loss, the rest in order', async () => {
    const arrivals = browserArrivals(h264, { videoDelayMs: 30, audioDelayMs: 30, audioFromMs: 0, seconds: 3 });
    const videoPackets = arrivals.filter((a) => a.kind === 'video');
    // One packet of a picture in the second GOP lost; two swapped in the first.
    const lost = videoPackets[Math.floor(videoPackets.length / 2)]!;
    const swapped = arrivals.indexOf(videoPackets[10]!);
    const reordered = arrivals.filter((a) => a !== lost);
    [reordered[swapped], reordered[swapped + 1]] = [reordered[swapped + 1]!, reordered[swapped]!];
    const broken: number[] = [];
    const chunks: Buffer[] = [];
    const muxer = new WhipMuxer({ audio: true, audioWaitMs: 500, write: (chunk) => chunks.push(chunk), keyframe: () => undefined, broken: () => broken.push(1) });
    for (const { kind, packet, at } of reordered) muxer[kind](packet, at);
    expect(broken).toHaveLength(1);
    const video = (await probePackets(await file('lossy.mkv', Buffer.concat(chunks)))).filter((p) => p.codec_type === 'video');
    // The pictures from the loss to the next keyframe are gone; the times only go forward.
    expect(video.length).toBeGreaterThan(50);
    expect(video.length).toBeLessThan(75);
    expect(video.filter((p) => p.keyframe).map((p) => p.pts_time)).toEqual([0, 1, 2]);
    expect(video.map((p) => p.pts_time)).toEqual([...video.map((p) => p.pts_time)].sort((a, b) => a - b));
  });
});

describe('vint', () => {
  it('encodes EBML sizes in the shortest form, never as all ones (unknown)', () => {
    expect(vint(0)).toEqual(Buffer.from([0x80]));
    expect(vint(126)).toEqual(Buffer.from([0xfe]));
    expect(vint(127)).toEqual(Buffer.from([0x40, 0x7f]));
    expect(vint(300)).toEqual(Buffer.from([0x41, 0x2c]));
    expect(vint(2 ** 21)).toEqual(Buffer.from([0x10, 0x20, 0x00, 0x00]));
  });
});
