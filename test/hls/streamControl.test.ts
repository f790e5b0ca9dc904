import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestMeter } from '../../src/hls/IngestMeter.js';
import { closePlaylists, lastSequences } from '../../src/hls/playlistFiles.js';
import { ProducerRefusals } from '../../src/hls/ProducerRefusals.js';
import { parsePlaylist } from '../../src/hls/playlist.js';

const LIVE = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:1.0,\na-00007.ts\n#EXTINF:1.0,\na-00008.ts\n';

describe('IngestMeter', () => {
  it('counts bytes and the bitrate over the last few seconds', () => {
    const meter = new IngestMeter('http', 0);
    for (let t = 0; t <= 10_000; t += 100) meter.add(1_250, t); // 100 kbps
    expect(meter.bytes).toBe(1_250 * 101);
    expect(meter.bitrateKbps(10_000)).toBeGreaterThanOrEqual(95);
    expect(meter.bitrateKbps(10_000)).toBeLessThanOrEqual(105);
    expect(new IngestMeter('rtmp', 5).bitrateKbps(5)).toBe(0);
  });

  it('says nothing of keyframes until the video is known to be copied', () => {
    const meter = new IngestMeter('rtmp', 0);
    meter.keyframe(0);
    meter.keyframe(6_000);
    expect(meter.keyframeIntervalSeconds()).toBeNull();
    expect(meter.warnings()).toEqual([]);
  });

  it('measures the interval from keyframe timestamps and warns when it is longer than a segment', () => {
    const meter = new IngestMeter('rtmp', 0);
    meter.copiedInto(1);
    for (const t of [0, 3_000, 6_000, 9_000]) meter.keyframe(t);
    expect(meter.keyframeIntervalSeconds()).toBe(3);
    const [warning] = meter.warnings();
    expect(warning?.code).toBe('KEYFRAME_INTERVAL_LONG');
    expect(warning?.message).toContain('every 3 s');
    expect(warning?.message).toContain('1 s segments');
    expect(warning?.message).toContain('OBS: Settings > Output > Keyframe Interval');
    expect(warning?.message).toContain('-g');
  });

  it('takes a clock that goes back (a reconnect) as a new start, and a 1 s interval for 1 s segments as fine', () => {
    const meter = new IngestMeter('rtmp', 0);
    meter.copiedInto(1);
    for (const t of [50_000, 51_000, 0, 1_000, 2_000]) meter.keyframe(t);
    expect(meter.keyframeIntervalSeconds()).toBe(1);
    expect(meter.warnings()).toEqual([]);
  });

  it('infers a long interval from segment durations when keyframes are not seen (HTTP, WebSocket)', () => {
    const meter = new IngestMeter('http', 0);
    meter.copiedInto(1);
    meter.segment(1.0);
    expect(meter.keyframeIntervalSeconds()).toBeNull();
    meter.segment(1.04);
    expect(meter.keyframeIntervalSeconds()).toBeNull();
    for (const d of [4, 4, 4]) meter.segment(d);
    expect(meter.keyframeIntervalSeconds()).toBe(4);
    expect(meter.state({ video: 'h264', audio: 'aac' }, 1_000)).toMatchObject({ protocol: 'http', since: 0, video: 'h264', audio: 'aac', keyframeIntervalSeconds: 4 });
    meter.segment(Number.NaN);
    meter.segment(-1);
    expect(meter.keyframeIntervalSeconds()).toBe(4);
  });
});

describe('ProducerRefusals', () => {
  it('refuses a stopped producer until the time is over, and not at all with 0', () => {
    const refusals = new ProducerRefusals(30_000);
    refusals.refuse('obs', 'stopped', 1_000);
    expect(refusals.of('obs', 30_999)).toEqual({ until: 31_000, message: 'stopped' });
    expect(refusals.of('other', 2_000)).toBeNull();
    expect(refusals.of('obs', 31_000)).toBeNull();
    const off = new ProducerRefusals(0);
    off.refuse('obs', 'stopped', 0);
    expect(off.of('obs', 1)).toBeNull();
  });

  it('stays bounded', () => {
    const refusals = new ProducerRefusals(60_000);
    for (let i = 0; i < 5_000; i++) refusals.refuse(`p${i}`, 'x', 0);
    expect(refusals.of('p0', 1)).toBeNull();
    expect(refusals.of('p4999', 1)).not.toBeNull();
  });
});

describe('playlist files', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('closes playlists with ENDLIST by renaming a temp file over them, once', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'playlists-'));
    await writeFile(path.join(dir, 'index.m3u8'), LIVE);
    expect(await closePlaylists(dir, ['index.m3u8', 'missing.m3u8'])).toEqual(['index.m3u8']);
    const closed = await readFile(path.join(dir, 'index.m3u8'), 'utf8');
    expect(closed.startsWith(LIVE)).toBe(true);
    expect(parsePlaylist(closed).ended).toBe(true);
    expect(await closePlaylists(dir, ['index.m3u8'])).toEqual([]);
    expect(await readdir(dir)).toEqual(['index.m3u8']);
  });

  it('reads the newest sequence number each playlist lists', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'playlists-'));
    await writeFile(path.join(dir, 'v0.m3u8'), LIVE);
    await writeFile(path.join(dir, 'v1.m3u8'), 'not a playlist');
    await writeFile(path.join(dir, 'v2.m3u8'), '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n');
    expect(await lastSequences(dir, ['v0.m3u8', 'v1.m3u8', 'v2.m3u8', 'v3.m3u8'])).toEqual(new Map([['v0.m3u8', 8]]));
  });
});
