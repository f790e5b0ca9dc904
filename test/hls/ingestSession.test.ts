import { describe, expect, it } from 'vitest';
import { ByteRateCap } from '../../src/hls/ByteRateCap.js';
import { HeldBytes } from '../../src/hls/HeldBytes.js';
import type { IngestLimits } from '../../src/config/IngestLimits.js';
import { IngestSession, type IngestFailure, type IngestSink } from '../../src/hls/IngestSession.js';
import type { MediaInfo } from '../../src/hls/mediaSniffer.js';
import { sampleMedia } from '../helpers/media.js';

const LIMITS: IngestLimits = { maxBytesPerSecond: 1e12, burstSeconds: 10, maxFramesPerSecond: 100, minBytesPerSecond: 0, rateWindowMs: 30_000, mediaTimeoutMs: 10_000 };
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/** A sink that records what the session hands on; `room` says whether ffmpeg's input has room. */
function recordingSink(room = true) {
  const sink = { started: null as MediaInfo | null, written: [] as Buffer[], ended: false };
  const api: IngestSink = {
    start: (_session, media) => (sink.started = media),
    write: (chunk) => (sink.written.push(chunk), room),
    end: () => (sink.ended = true),
  };
  return { sink, api };
}

function session(limits: Partial<IngestLimits> = {}, room = true, now?: () => number) {
  const { sink, api } = recordingSink(room);
  const ingest = new IngestSession('producer', 'http', api, { ...LIMITS, ...limits }, now);
  const failures: IngestFailure[] = [];
  ingest.on('failed', (failure) => failures.push(failure));
  return { ingest, sink, failures };
}

describe('IngestSession', () => {
  it('tells a dropped connection from an end, and ends once either way', async () => {
    const ended = session();
    ended.ingest.push(await sampleMedia('ts-h264-aac'));
    ended.ingest.flowing();
    ended.ingest.end();
    ended.ingest.drop();
    expect(ended.ingest.dropped).toBe(false);
    expect(ended.sink.ended).toBe(true);
    const dropped = session();
    dropped.ingest.push(await sampleMedia('ts-h264-aac'));
    dropped.ingest.flowing();
    dropped.ingest.drop();
    dropped.ingest.end();
    expect(dropped.ingest.dropped).toBe(true);
    expect(dropped.ingest.ending).toBe(true);
    expect(dropped.ingest.protocol).toBe('http');
    expect(dropped.ingest.meter.bytes).toBe(dropped.ingest.bytes);
  });

  it('is abandoned, not failed, when dropped before a byte came; abandon() after the media is known is a drop', async () => {
    const empty = session();
    let abandoned = 0;
    empty.ingest.on('abandoned', () => (abandoned += 1));
    empty.ingest.drop();
    empty.ingest.abandon();
    await empty.ingest.settled();
    expect(abandoned).toBe(1);
    expect(empty.failures).toEqual([]);
    expect(empty.sink.started).toBeNull();
    const started = session();
    started.ingest.on('abandoned', () => (abandoned += 1));
    started.ingest.push(await sampleMedia('ts-h264-aac'));
    started.ingest.flowing();
    started.ingest.abandon();
    expect(abandoned).toBe(1);
    expect(started.ingest.dropped).toBe(true);
    expect(started.sink.ended).toBe(true);
  });

  it('emits warnings when they change, not at every keyframe', () => {
    const { ingest } = session();
    const seen: number[] = [];
    ingest.on('warnings', (warnings) => seen.push(warnings.length));
    ingest.meter.copiedInto(1);
    for (const t of [0, 3_000, 6_000, 9_000]) ingest.keyframe(t);
    for (const t of [9_500, 10_000, 10_500, 11_000, 11_500, 12_000]) ingest.keyframe(t);
    expect(seen).toEqual([1, 0]);
  });

  it('takes one-byte chunks in linear time (a list concatenated per chunk took minutes)', () => {
    const { ingest, failures } = session();
    const started = performance.now();
    ingest.push(EBML_MAGIC);
    for (let i = 0; i < 50_000; i++) ingest.push(Buffer.of(0));
    ingest.push(CLUSTER_ID);
    const elapsed = performance.now() - started;
    // The Cluster ends a track list that named no track: refused once the next sniff sees it.
    ingest.end();
    expect(failures).toMatchObject([{ code: 'MEDIA_UNSUPPORTED', message: 'The webm stream has neither video nor audio' }]);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('recognizes real media sent a byte at a time, and hands ffmpeg exactly the bytes held', async () => {
    const media = (await sampleMedia('webm-vp8-opus', 1)).subarray(0, 128 * 1024);
    const { ingest, sink } = session();
    let at = 0;
    while (sink.started === null && at < media.length) ingest.push(media.subarray(at, ++at));
    expect(sink.started).toEqual({ container: 'webm', video: 'vp8', audio: 'opus' });
    ingest.push(media.subarray(at));
    ingest.flowing();
    expect(Buffer.concat(sink.written).equals(media)).toBe(true);
  });

  it('cuts a producer above the bitrate cap, naming the rate it measured', () => {
    let now = 0;
    const { ingest, failures } = session({ maxBytesPerSecond: 1_000, burstSeconds: 2 }, true, () => now);
    // Bursts of two seconds' worth, then the average rate, are fine (a WebM start, tracks still to come).
    expect(ingest.push(Buffer.concat([EBML_MAGIC, Buffer.alloc(1_996)]))).toBe(true);
    for (let second = 1; second <= 5; second++) {
      now = second * 1_000;
      ingest.push(Buffer.alloc(1_000));
    }
    expect(failures).toEqual([]);
    now += 100;
    ingest.push(Buffer.alloc(1_000));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'INGEST_TOO_FAST' });
    expect(failures[0]!.message).toMatch(/arrives at \d+ kbps, above this server's cap of 8 kbps/);
  });

  it('cuts a producer that keeps sending far past backpressure', async () => {
    const media = await sampleMedia('ts-h264-aac', 1);
    const { ingest, failures } = session({}, false);
    ingest.push(media);
    ingest.flowing();
    for (let i = 0; i < 15; i++) expect(ingest.push(Buffer.alloc(1024 * 1024))).toBe(false);
    expect(failures).toEqual([]);
    ingest.push(Buffer.alloc(2 * 1024 * 1024));
    expect(failures).toMatchObject([{ code: 'INGEST_TOO_FAST' }]);
  });

  it('stops asking for bytes once 1 MiB is held before ffmpeg runs', async () => {
    const media = await sampleMedia('ts-h264-aac', 1);
    const { ingest, sink } = session();
    expect(ingest.push(media.subarray(0, 64 * 1024))).toBe(true);
    expect(sink.started).toMatchObject({ container: 'mpegts' });
    expect(ingest.push(Buffer.alloc(1024 * 1024))).toBe(false);
  });
});

describe('HeldBytes', () => {
  it('keeps appended bytes in order across growth, and hands them over once', () => {
    const held = new HeldBytes();
    const input = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    for (let at = 0; at < input.length; at += 7) held.append(input.subarray(at, at + 7));
    expect(held.length).toBe(input.length);
    expect(held.view().equals(input)).toBe(true);
    expect(held.take().equals(input)).toBe(true);
    expect(held.length).toBe(0);
  });
});

describe('ByteRateCap', () => {
  it('measures the rate since the bucket was last full', () => {
    let now = 0;
    const cap = new ByteRateCap(1_000, 1, () => now);
    expect(cap.take(1_000)).toBe(true);
    now = 500;
    expect(cap.take(1_000)).toBe(false);
    // 2000 bytes in half a second.
    expect(cap.measuredBytesPerSecond()).toBe(4_000);
  });
});
