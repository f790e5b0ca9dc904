import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordableSegment } from '../../src/hls/recordable.js';
import { FFPROBE, testFfmpeg } from './media.js';

const run = promisify(execFile);

/**
 * Real fMP4 segments as the LL-HLS packager hands them to a recorder: ffmpeg's own fMP4 HLS
 * output (init.mp4 + one .m4s per second, cut on keyframes), read back with the durations its
 * playlist gives. `startMs` is the first segment's wall clock.
 */
export async function makeRecordableSegments(seconds: number, startMs = Date.now(), size = '320x240'): Promise<RecordableSegment[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fmp4-'));
  try {
    const ffmpeg = await testFfmpeg();
    await run(ffmpeg, [
      '-hide_banner', '-loglevel', 'error',
      '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
      '-f', 'hls', '-hls_segment_type', 'fmp4', '-hls_time', '1', '-hls_list_size', '0', '-hls_fmp4_init_filename', 'init.mp4',
      '-hls_segment_filename', path.join(dir, 's%d.m4s'), path.join(dir, 'p.m3u8'),
    ]);
    const init = await readFile(path.join(dir, 'init.mp4'));
    const lines = (await readFile(path.join(dir, 'p.m3u8'), 'utf8')).split('\n');
    const segments: RecordableSegment[] = [];
    let at = startMs;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.startsWith('#EXTINF:')) continue;
      const duration = Number.parseFloat(line.slice(8));
      segments.push({ bytes: await readFile(path.join(dir, lines[i + 1]!.trim())), duration, programDateTime: at, discontinuity: false, init });
      at += duration * 1000;
    }
    return segments;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What ffprobe reads of a playlist played to its end: the duration, and the frames it decoded. */
export async function probePlaylist(file: string): Promise<{ duration: number; frames: number }> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'format=duration:stream=nb_read_frames', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { format: { duration: string }; streams: { nb_read_frames: string }[] };
  return { duration: Number(parsed.format.duration), frames: Number(parsed.streams[0]?.nb_read_frames ?? 0) };
}
