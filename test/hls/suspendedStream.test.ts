import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TranscodePlan } from '../../src/hls/ffmpegArgs.js';
import { saveNextMsn, savedNextMsn } from '../../src/hls/ll/carriedMsn.js';
import { MAX_AGE_MS, openRoomFolder, saveSuspended, takeSuspended, type SuspendedStream } from '../../src/hls/suspendedStream.js';

const dirs: string[] = [];
const folder = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'suspended-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const note = (dir: string, mode: 'll' | 'classic', savedAt = Date.now()): SuspendedStream => ({
  producer: 'cam',
  // Only what the note's reader looks at: the mode and the playlists' folder.
  plan: { mode, outputDir: dir, ladder: false, media: { container: 'flv', video: 'h264', audio: 'aac' } } as unknown as TranscodePlan,
  ingest: { protocol: 'rtmp', since: savedAt - 10_000, bytes: 1000, bitrateKbps: 800, video: 'h264', audio: 'aac', keyframeIntervalSeconds: null, warnings: [] },
  since: savedAt - 10_000,
  discontinuity: 3,
  recording: { id: '0mx5x0dckca57', startedAt: savedAt - 10_000 },
  savedAt,
});

describe('a stream suspended by a rolling restart (the note in the room\'s HLS folder)', () => {
  it('is taken once by the next worker', async () => {
    const dir = await folder();
    expect(await saveSuspended(dir, note(dir, 'll'))).toBe(true);
    expect(await takeSuspended(dir)).toMatchObject({ producer: 'cam', discontinuity: 3, recording: { id: '0mx5x0dckca57' } });
    expect(await takeSuspended(dir)).toBeNull();
  });

  it('is ignored when stale (no restart under way) or damaged', async () => {
    const dir = await folder();
    await saveSuspended(dir, note(dir, 'll', Date.now() - MAX_AGE_MS - 1));
    expect(await takeSuspended(dir)).toBeNull();
    await writeFile(path.join(dir, 'suspended-stream'), '{"producer":');
    expect(await takeSuspended(dir)).toBeNull();
  });

  it('opening the room empties a Low-Latency folder but for the media sequence; a classic one keeps its playlists and lists their segments', async () => {
    const ll = await folder();
    await saveNextMsn(ll, 42);
    await writeFile(path.join(ll, 'leftover.m4s'), 'x');
    await saveSuspended(ll, note(ll, 'll'));
    expect(await openRoomFolder(ll)).toMatchObject({ producer: 'cam', segments: [] });
    expect(await readdir(ll)).toEqual(['ll-next-msn']);
    expect(await savedNextMsn(ll)).toBe(42);

    const classic = await folder();
    await writeFile(path.join(classic, 'index.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.0,\nabc-7.ts\n#EXTINF:2.0,\nabc-8.ts\n');
    await saveSuspended(classic, note(classic, 'classic'));
    expect((await openRoomFolder(classic))?.segments).toEqual(['abc-7.ts', 'abc-8.ts']);
    expect(await readdir(classic)).toContain('index.m3u8');
    // Without a note, a classic folder is emptied as before.
    expect(await openRoomFolder(classic)).toBeNull();
    expect(await readdir(classic).catch(() => [])).not.toContain('index.m3u8');
  });
});
