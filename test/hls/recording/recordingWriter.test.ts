import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordableSegment } from '../../../src/hls/recordable.js';
import { RecordingWriter } from '../../../src/hls/recording/RecordingWriter.js';
import { parseRecordingPlaylist } from '../../../src/hls/recording/recordingPlaylist.js';
import { sealRecording } from '../../../src/hls/recording/sealRecording.js';
import { createLogger } from '../../../src/kit/createLogger.js';
import { makeRecordableSegments, probePlaylist } from '../../helpers/fmp4Segments.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';

const logger = createLogger('silent');
let root: string;
let segments: RecordableSegment[];
let resumed: RecordableSegment[];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'recording-'));
  segments = await makeRecordableSegments(4, Date.UTC(2026, 0, 1));
  // A producer that came back: a new ffmpeg, a new init, later on the clock.
  const again = await makeRecordableSegments(2, Date.UTC(2026, 0, 1, 0, 1));
  resumed = again.map((segment, i) => ({ ...segment, discontinuity: i === 0 }));
});

afterAll(() => rm(root, { recursive: true, force: true }));

const total = (list: readonly RecordableSegment[]) => list.reduce((sum, segment) => sum + segment.duration, 0);

describe('RecordingWriter', () => {
  it('writes an EVENT playlist while recording and a VOD one that ffprobe plays to its end', async () => {
    const dir = path.join(root, 'plain');
    const writer = new RecordingWriter(dir, logger);
    const written = new Promise<void>((resolve) => writer.on('written', (progress) => progress.segments === 2 && resolve()));
    writer.add(segments[0]!);
    writer.add(segments[1]!);
    await written;
    const live = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(live).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(live).not.toContain('ENDLIST');
    for (const segment of segments.slice(2)) writer.add(segment);
    const progress = await writer.finish();
    expect(progress).toMatchObject({ segments: segments.length, failure: null, sealed: true });
    expect(progress.duration).toBeCloseTo(total(segments), 3);
    expect(progress.bytes).toBe(segments[0]!.init.length + segments.reduce((sum, segment) => sum + segment.bytes.length, 0));
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(text).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD[\s\S]*#EXT-X-ENDLIST\n$/);
    expect((await readdir(dir)).sort()).toEqual(['index.m3u8', 'init-1.mp4', 'seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s', 'seg-3.m4s']);
    const probed = await probePlaylist(path.join(dir, 'index.m3u8'));
    expect(probed.duration).toBeGreaterThan(total(segments) - 0.2);
    expect(probed.frames).toBeGreaterThanOrEqual(Math.floor(total(segments) * 25) - 2);
    expect(await writer.finish()).toEqual(progress);
  });

  it('starts a new init with a discontinuity when the producer comes back', async () => {
    const dir = path.join(root, 'resumed');
    const writer = new RecordingWriter(dir, logger);
    for (const segment of [...segments, ...resumed]) writer.add(segment);
    await writer.finish();
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(text.match(/#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-2.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:01:00.000Z/)).not.toBeNull();
    const probed = await probePlaylist(path.join(dir, 'index.m3u8'));
    // Frames from both inits decode (ffmpeg's HLS demuxer drops some around a timestamp reset, players do not).
    expect(probed.frames).toBeGreaterThan(Math.floor(total(segments) * 25));
  });

  it('goes on with a recording a previous worker sealed (a rolling restart): one recording, a discontinuity, numbered on', async () => {
    const dir = path.join(root, 'restarted');
    const first = new RecordingWriter(dir, logger);
    for (const segment of segments) first.add(segment);
    const before = await first.finish();
    const next = new RecordingWriter(dir, logger, true);
    for (const segment of resumed) next.add(segment);
    const progress = await next.finish();
    expect(progress).toMatchObject({ segments: segments.length + resumed.length, failure: null, sealed: true });
    expect(progress.duration).toBeCloseTo(total(segments) + total(resumed), 3);
    expect(progress.bytes).toBe(before.bytes + resumed[0]!.init.length + resumed.reduce((sum, segment) => sum + segment.bytes.length, 0));
    const text = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(text.match(/#EXT-X-ENDLIST/g)).toHaveLength(1);
    expect(text.match(/#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-2.mp4"/)).not.toBeNull();
    expect(parseRecordingPlaylist(text).segments.map((segment) => segment.msn)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await readdir(dir)).sort()).toEqual(['index.m3u8', 'init-1.mp4', 'init-2.mp4', 'seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s', 'seg-3.m4s', 'seg-4.m4s', 'seg-5.m4s']);
  });

  it('stops cleanly on a full disk: the playlist lists only complete segments and plays', async (context) => {
    const big = await makeRecordableSegments(6, Date.UTC(2026, 0, 1), '640x480');
    // Room for about half of the recording.
    const half = Math.ceil(big.reduce((sum, segment) => sum + segment.bytes.length, big[0]!.init.length) / 2 / 4096) * 4;
    const mounted = mountTmpfs(`size=${half}k`);
    if (mounted.dir === undefined) return context.skip(mounted.reason);
    try {
      const dir = path.join(mounted.dir, 'full');
      const writer = new RecordingWriter(dir, logger);
      const failed = new Promise<string>((resolve) => writer.once('failed', resolve));
      for (const segment of big) writer.add(segment);
      expect(await failed).toMatch(/disk is full/);
      const progress = await writer.finish();
      expect(progress.failure).toMatch(/ENOSPC/);
      expect(progress.segments).toBeGreaterThan(0);
      expect(progress.segments).toBeLessThan(big.length);
      const listed = parseRecordingPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'));
      expect(listed.segments.length).toBe(progress.segments);
      // Sealed by the writer, or by the primary's sealRecording when even the playlist could not be written.
      const sealed = await sealRecording(dir);
      expect(sealed.segments).toBe(progress.segments);
      expect(parseRecordingPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8')).ended).toBe(true);
      const names = await readdir(dir);
      expect(names.filter((name) => name.startsWith('seg-')).length).toBe(progress.segments);
      expect((await probePlaylist(path.join(dir, 'index.m3u8'))).duration).toBeCloseTo(progress.duration, 0);
    } finally {
      mounted.unmount();
    }
  });

  it('stops cleanly without permission to write', async (context) => {
    if (process.getuid?.() === 0) return context.skip('root writes anywhere: the full-disk case covers a failed write');
    const dir = path.join(root, 'denied');
    await writeFile(path.join(root, 'x'), '');
    await chmod(root, 0o500);
    try {
      const writer = new RecordingWriter(dir, logger);
      writer.add(segments[0]!);
      const progress = await writer.finish();
      expect(progress.failure).toMatch(/permission/);
    } finally {
      await chmod(root, 0o700);
    }
  });
});

describe('sealRecording', () => {
  it('ends an EVENT playlist a crash left, deleting the half-written segment it never listed', async () => {
    const dir = path.join(root, 'crashed');
    const writer = new RecordingWriter(dir, logger);
    const written = new Promise<void>((resolve) => writer.on('written', (progress) => progress.segments === 3 && resolve()));
    for (const segment of segments.slice(0, 3)) writer.add(segment);
    await written;
    // What a kill mid-write leaves: part of the next segment and a temp playlist.
    await writeFile(path.join(dir, 'seg-3.m4s'), segments[3]!.bytes.subarray(0, 1000));
    await writeFile(path.join(dir, 'seg-4.m4s.tmp'), segments[3]!.bytes.subarray(0, 500));
    await writeFile(path.join(dir, 'index.m3u8.tmp'), '#EXTM3U\n#EXT-X-VERS');
    const sealed = await sealRecording(dir);
    expect(sealed.segments).toBe(3);
    expect(sealed.duration).toBeCloseTo(total(segments.slice(0, 3)), 3);
    expect(sealed.endedAt).toBe(Math.round(Date.UTC(2026, 0, 1) + total(segments.slice(0, 3)) * 1000));
    expect((await readdir(dir)).sort()).toEqual(['index.m3u8', 'init-1.mp4', 'seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s']);
    expect(await readFile(path.join(dir, 'index.m3u8'), 'utf8')).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD[\s\S]*#EXT-X-ENDLIST\n$/);
    expect(await sealRecording(dir)).toEqual(sealed);
    expect((await probePlaylist(path.join(dir, 'index.m3u8'))).duration).toBeGreaterThan(total(segments.slice(0, 3)) - 0.2);
  });

  it('empties a folder with no playlist', async () => {
    const dir = path.join(root, 'empty');
    const writer = new RecordingWriter(dir, logger);
    await writer.finish();
    await rm(path.join(dir, 'index.m3u8'));
    await writeFile(path.join(dir, 'seg-0.m4s'), 'partial');
    expect(await sealRecording(dir)).toEqual({ segments: 0, duration: 0, bytes: 0, endedAt: null });
    expect(await readdir(dir)).toEqual([]);
  });
});
