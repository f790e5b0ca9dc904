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
  plan: {
    mode, outputDir: dir, ladder: false, media: { container: 'flv', video: 'h264', audio: 'aac' }, segmentSeconds: 1, windowSegments: 6, streamId: 'abc',
    partSeconds: 0.2, encodeLimits: { maxWidth: 1920, maxHeight: 1080, maxFps: 60 }, fpsModeOption: '-fps_mode',
  } satisfies TranscodePlan,
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

  it('comes back expired when stale (no restart under way: the stream is ended, not held), and is ignored when damaged', async () => {
    const dir = await folder();
    await saveSuspended(dir, note(dir, 'll', Date.now() - MAX_AGE_MS - 1));
    expect(await takeSuspended(dir)).toMatchObject({ producer: 'cam', expired: true });
    await saveSuspended(dir, note(dir, 'll'));
    expect(await takeSuspended(dir)).toMatchObject({ expired: false });
    await writeFile(path.join(dir, 'suspended-stream'), '{"producer":');
    expect(await takeSuspended(dir)).toBeNull();
  });

  it('is checked field by field: a malformed or hostile note is ignored, and its plan always points at the folder it was found in', async () => {
    const dir = await folder();
    const good = note(dir, 'classic');
    const hostile: unknown[] = [
      { ...good, plan: { ...good.plan, media: undefined } },
      { ...good, plan: { ...good.plan, ladder: 'yes' } },
      { ...good, plan: { ...good.plan, streamId: '../x' } },
      { ...good, plan: { ...good.plan, windowSegments: 0 } },
      { ...good, since: 1e300 },
      { ...good, since: good.savedAt + 1 },
      { ...good, discontinuity: -1 },
      { ...good, discontinuity: 1.5 },
      { ...good, recording: { id: '../../other-room/0mx5x0dckca57', startedAt: 1 } },
      { ...good, ingest: { ...good.ingest, protocol: 'carrier-pigeon' } },
    ];
    for (const value of hostile) {
      await writeFile(path.join(dir, 'suspended-stream'), JSON.stringify(value));
      expect(await takeSuspended(dir), JSON.stringify(value).slice(0, 120)).toBeNull();
    }
    // Another folder named in the plan (another room's, or HLS_DIR as it was) is never where its ENDLIST goes.
    await saveSuspended(dir, { ...good, plan: { ...good.plan, outputDir: '/var/lib/chatserver/hls/otherroom' } });
    expect((await takeSuspended(dir))?.plan.outputDir).toBe(dir);
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
