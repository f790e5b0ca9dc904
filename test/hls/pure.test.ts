import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, copiesVideo, LADDER, type TranscodePlan } from '../../src/hls/ffmpegArgs.js';
import { parseHlsPath } from '../../src/hls/hlsPath.js';
import { HlsCache } from '../../src/hls/HlsCache.js';
import { ListedSegments } from '../../src/hls/ListedSegments.js';
import { HlsViewers, VIEWER_WINDOW_MS } from '../../src/hls/HlsViewers.js';
import { sniffMedia, type MediaInfo } from '../../src/hls/mediaSniffer.js';
import { parsePlaylist, withEndList } from '../../src/hls/playlist.js';
import { sampleMedia } from '../helpers/media.js';

const H264_AAC: MediaInfo = { container: 'mpegts', video: 'h264', audio: 'aac' };
const VP8_OPUS: MediaInfo = { container: 'webm', video: 'vp8', audio: 'opus' };

function plan(overrides: Partial<TranscodePlan> = {}): TranscodePlan {
  return {
    media: H264_AAC,
    outputDir: '/data/hls/room',
    segmentSeconds: 1,
    windowSegments: 6,
    streamId: 'abc123',
    ladder: false,
    mode: 'classic',
    partSeconds: 0.2,
    encodeLimits: { maxWidth: 1920, maxHeight: 1080, maxFps: 60 },
    fpsModeOption: '-fps_mode',
    ...overrides,
  };
}

/** The value after a flag (the first occurrence). */
function after(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe('buildFfmpegArgs', () => {
  it('copies H.264 and AAC: no encode at all', () => {
    const args = buildFfmpegArgs(plan());
    expect(copiesVideo(plan())).toBe(true);
    expect(after(args, '-c:v')).toBe('copy');
    expect(after(args, '-c:a')).toBe('copy');
    expect(args).not.toContain('libx264');
    expect(after(args, '-f')).toBe('mpegts');
    expect(after(args, '-i')).toBe('pipe:0');
  });

  it('keeps copied AAC in ADTS for classic MPEG-TS segments, and strips ADTS into fragmented MP4 for LL', () => {
    expect(buildFfmpegArgs(plan())).not.toContain('aac_adtstoasc');
    const ll = buildFfmpegArgs(plan({ mode: 'll' }));
    expect(after(ll, '-bsf:a')).toBe('aac_adtstoasc');
    expect(ll.at(-1)).toBe('pipe:1');
    expect(after(ll, '-movflags')).toContain('delay_moov');
    // A part of 0.2 s: ffmpeg is asked for a hair less (fragmentSeconds), in microseconds.
    expect(Number(after(ll, '-frag_duration'))).toBe(Math.round((0.2 - 1 / 240) * 1_000_000));
  });

  it('writes one fragmented MP4 output per rendition of an LL ladder, on stdout and fds 3 and 4', () => {
    const args = buildFfmpegArgs(plan({ mode: 'll', ladder: true }));
    expect(args.filter((arg) => arg.startsWith('pipe:') && arg !== 'pipe:0')).toEqual(['pipe:1', 'pipe:3', 'pipe:4']);
    expect(args.filter((arg) => arg === 'mp4')).toHaveLength(3);
  });

  it('encodes anything else with libx264 veryfast zerolatency, a keyframe per segment, and AAC', () => {
    const args = buildFfmpegArgs(plan({ media: VP8_OPUS, segmentSeconds: 2 }));
    expect(after(args, '-c:v')).toBe('libx264');
    expect(after(args, '-preset:v')).toBe('veryfast');
    expect(after(args, '-tune:v')).toBe('zerolatency');
    expect(after(args, '-force_key_frames:v')).toBe('expr:gte(t,n_forced*2)');
    expect(after(args, '-sc_threshold:v')).toBe('0');
    expect(after(args, '-c:a')).toBe('aac');
    expect(after(args, '-f')).toBe('matroska');
  });

  it('caps encodes at the resolution box (down only, aspect kept) and frame rate, keeping frame times', () => {
    const args = buildFfmpegArgs(plan({ media: VP8_OPUS, encodeLimits: { maxWidth: 1280, maxHeight: 720, maxFps: 30 } }));
    const filter = after(args, '-filter:v')!;
    expect(filter).toContain("scale=w='trunc(min(1,min(1280/iw,720/ih))*iw/2)*2':h='trunc(min(1,min(1280/iw,720/ih))*ih/2)*2'");
    // At most one frame per 1/30 s, less a millisecond's rounding (WebM timestamps).
    expect(filter).toContain("select='isnan(prev_selected_t)+gte(t-prev_selected_t,0.032133)'");
    expect(after(args, '-fps_mode')).toBe('vfr');
    expect(after(buildFfmpegArgs(plan({ media: VP8_OPUS, fpsModeOption: '-vsync' })), '-vsync')).toBe('vfr');
    // The ladder caps its source once, before the split.
    expect(after(buildFfmpegArgs(plan({ ladder: true })), '-filter_complex')).toMatch(/^\[0:v:0\]scale=w=.*,select=.*,split=3/);
    // A copied stream is not touched.
    const copied = buildFfmpegArgs(plan());
    expect(copied).not.toContain('-filter:v');
    expect(copied).not.toContain('-fps_mode');
    expect(() => buildFfmpegArgs(plan({ media: VP8_OPUS, encodeLimits: { maxWidth: 0, maxHeight: 720, maxFps: 30 } }))).toThrow(RangeError);
  });

  it('writes a bounded live HLS window with program date times and deletes old segments', () => {
    const args = buildFfmpegArgs(plan({ windowSegments: 8 }));
    const hls = args.slice(args.lastIndexOf('-f'));
    expect(after(hls, '-f')).toBe('hls');
    expect(after(hls, '-hls_time')).toBe('1');
    expect(after(hls, '-hls_list_size')).toBe('8');
    expect(after(hls, '-hls_flags')?.split('+')).toEqual(expect.arrayContaining(['delete_segments', 'program_date_time', 'temp_file']));
    expect(after(hls, '-hls_segment_filename')).toBe('/data/hls/room/abc123-%05d.ts');
    expect(hls.at(-1)).toBe('/data/hls/room/index.m3u8');
  });

  it('leaves ENDLIST to the server, and continues the playlist after a discontinuity when appending', () => {
    const flags = (append?: boolean) => {
      const args = buildFfmpegArgs(plan(append === undefined ? {} : { append }));
      return after(args.slice(args.lastIndexOf('-f')), '-hls_flags')?.split('+');
    };
    expect(flags()).toContain('omit_endlist');
    expect(flags()).not.toContain('append_list');
    expect(flags(true)).toEqual(expect.arrayContaining(['omit_endlist', 'append_list', 'discont_start', 'delete_segments']));
  });

  it('maps only the tracks the stream has', () => {
    const videoOnly = buildFfmpegArgs(plan({ media: { container: 'mpegts', video: 'h264', audio: null } }));
    expect(videoOnly).not.toContain('-c:a');
    const audioOnly = buildFfmpegArgs(plan({ media: { container: 'flv', video: null, audio: 'aac' } }));
    expect(audioOnly).not.toContain('-c:v');
    expect(() => buildFfmpegArgs(plan({ media: { container: 'flv', video: null, audio: null } }))).toThrow(RangeError);
  });

  it('builds the adaptive ladder: one decode, every rendition encoded, a master playlist', () => {
    const args = buildFfmpegArgs(plan({ ladder: true }));
    expect(copiesVideo(plan({ ladder: true }))).toBe(false);
    expect(after(args, '-filter_complex')).toContain(`split=${LADDER.length + 1}`);
    expect(after(args, '-var_stream_map')).toBe('v:0,a:0 v:1,a:1 v:2,a:2');
    expect(after(args, '-master_pl_name')).toBe('index.m3u8');
    expect(args.at(-1)).toBe('/data/hls/room/v%v.m3u8');
    expect(after(args, '-c:a:0')).toBe('copy');
    expect(after(args, '-c:a:1')).toBe('aac');
  });

  it('refuses values that would make a bad command line', () => {
    expect(() => buildFfmpegArgs(plan({ segmentSeconds: 0 }))).toThrow(RangeError);
    expect(() => buildFfmpegArgs(plan({ windowSegments: 1 }))).toThrow(RangeError);
    expect(() => buildFfmpegArgs(plan({ streamId: '../x' }))).toThrow(RangeError);
  });

  it('is an argument vector, never a shell string', () => {
    for (const arg of buildFfmpegArgs(plan({ outputDir: '/tmp/a dir; rm -rf x' }))) expect(typeof arg).toBe('string');
    expect(buildFfmpegArgs(plan({ outputDir: '/tmp/a dir; rm -rf x' })).at(-1)).toBe('/tmp/a dir; rm -rf x/index.m3u8');
  });
});

describe('sniffMedia', () => {
  it.each([
    ['ts-h264-aac', { container: 'mpegts', video: 'h264', audio: 'aac' }],
    ['flv-h264-aac', { container: 'flv', video: 'h264', audio: 'aac' }],
    ['webm-vp8-opus', { container: 'webm', video: 'vp8', audio: 'opus' }],
    ['mkv-h264-opus', { container: 'webm', video: 'h264', audio: 'opus' }],
    ['ts-mpeg2-mp2', { container: 'mpegts', video: 'other', audio: 'mp3' }],
    ['ts-h264-only', { container: 'mpegts', video: 'h264', audio: null }],
  ] as const)('recognizes %s from its first bytes', async (kind, expected) => {
    const media = await sampleMedia(kind, 1);
    expect(sniffMedia(media.subarray(0, 64 * 1024))).toEqual({ kind: 'media', media: expected });
  });

  it('asks for more bytes while the tracks are not declared yet', async () => {
    const media = await sampleMedia('webm-vp8-opus', 1);
    expect(sniffMedia(media.subarray(0, 2))).toEqual({ kind: 'more', container: null });
    expect(sniffMedia(media.subarray(0, 40))).toEqual({ kind: 'more', container: 'webm' });
    expect(sniffMedia(media.subarray(0, 40), true)).toMatchObject({ kind: 'media', media: { container: 'webm', video: 'other' } });
  });

  it('refuses garbage at once', () => {
    expect(sniffMedia(Buffer.from('<html><body>not a video</body></html>'))).toMatchObject({ kind: 'unsupported' });
    // 'G' is the MPEG-TS sync byte: a short text starting with it waits for a packet's worth of bytes.
    expect(sniffMedia(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'more', container: null });
    expect(sniffMedia(Buffer.from('GET / HTTP/1.1\r\n'.repeat(40)))).toMatchObject({ kind: 'unsupported' });
    // Sync bytes and nothing else: a container but no tracks; ffmpeg gets to judge it (and fails).
    expect(sniffMedia(Buffer.alloc(1000, 0x47))).toEqual({ kind: 'more', container: 'mpegts' });
    expect(sniffMedia(Buffer.alloc(1000, 0x47), true)).toMatchObject({ kind: 'media', media: { container: 'mpegts' } });
    expect(sniffMedia(Buffer.from([0x47, 1, 2, 3, 4, 5]).subarray(0, 6), true)).toMatchObject({ kind: 'unsupported' });
    expect(sniffMedia(Buffer.alloc(0), true)).toMatchObject({ kind: 'unsupported' });
  });

  it('never throws on random bytes behind a valid magic', () => {
    for (let i = 0; i < 300; i++) {
      const noise = Buffer.from(Array.from({ length: 2000 }, () => Math.floor(Math.random() * 256)));
      for (const magic of [[0x1a, 0x45, 0xdf, 0xa3], [0x46, 0x4c, 0x56, 0x01, 0x05]]) {
        const head = Buffer.concat([Buffer.from(magic), noise]);
        expect(() => sniffMedia(head, true)).not.toThrow();
      }
      const ts = Buffer.alloc(188 * 8);
      for (let p = 0; p < 8; p++) {
        noise.copy(ts, p * 188, p * 200, p * 200 + 188);
        ts[p * 188] = 0x47;
      }
      expect(() => sniffMedia(ts, true)).not.toThrow();
    }
  });
});

describe('parsePlaylist', () => {
  const live = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:1',
    '#EXT-X-MEDIA-SEQUENCE:4',
    '#EXTINF:1.000000,',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-20T10:00:00.500+0000',
    'abc-00004.ts',
    '#EXTINF:0.960000,',
    'abc-00005.ts',
    '',
  ].join('\n');

  it('reads segments, durations, sequence and program date times', () => {
    const parsed = parsePlaylist(live);
    expect(parsed).toMatchObject({ master: false, targetDuration: 1, mediaSequence: 4, ended: false });
    expect(parsed.segments).toEqual([
      { uri: 'abc-00004.ts', duration: 1, programDateTime: Date.parse('2026-11-20T10:00:00.500Z'), map: null, discontinuity: false, discontinuitySequence: 0, parts: [] },
      { uri: 'abc-00005.ts', duration: 0.96, programDateTime: null, map: null, discontinuity: false, discontinuitySequence: 0, parts: [] },
    ]);
  });

  it('closes an open playlist once, and leaves a closed or master playlist alone', () => {
    const closed = withEndList(live)!;
    expect(parsePlaylist(closed).ended).toBe(true);
    expect(withEndList(closed)).toBeNull();
    expect(withEndList('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0.m3u8\n')).toBeNull();
  });

  it('tells a master playlist by its variants and refuses non-playlists', () => {
    expect(parsePlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0.m3u8\n')).toMatchObject({ master: true, variants: ['v0.m3u8'] });
    expect(() => parsePlaylist('<html>')).toThrow();
  });
});

describe('parseHlsPath', () => {
  it('accepts the names ffmpeg writes', () => {
    expect(parseHlsPath('index.m3u8')).toMatchObject({ kind: 'playlist', contentType: 'application/vnd.apple.mpegurl' });
    expect(parseHlsPath('v1.m3u8')).toMatchObject({ kind: 'playlist' });
    expect(parseHlsPath('mwpk-v2-00012.ts')).toMatchObject({ kind: 'segment', contentType: 'video/mp2t' });
  });

  it.each([
    '../index.m3u8',
    '..%2findex.m3u8',
    '%2e%2e/x.ts',
    '/etc/passwd',
    'a/../../x.ts',
    'index.m3u8.tmp',
    'x.ts/',
    'index.m3u8%00.ts',
    '',
    'sub/x.ts',
    '..\\x.ts',
    'passwd',
  ])('refuses %j', (rest) => {
    expect(parseHlsPath(rest)).toBeNull();
  });
});

describe('HlsViewers', () => {
  it('counts recent players once each, not those that also chat, and forgets idle ones', () => {
    const viewers = new HlsViewers();
    viewers.touch('10.0.0.1', 'UA', 1_000);
    viewers.touch('10.0.0.1', 'UA', 2_000);
    viewers.touch('10.0.0.2', 'UA', 2_000);
    viewers.touch('10.0.0.3', 'other', 2_000);
    expect(viewers.countExcluding(new Set(), 2_000)).toBe(3);
    expect(viewers.countExcluding(new Set(['10.0.0.2']), 2_000)).toBe(2);
    expect(viewers.countExcluding(new Set(), 2_000 + VIEWER_WINDOW_MS + 1)).toBe(0);
  });
});

describe('HlsCache', () => {
  it('keeps files under a byte budget, least recently used out first', () => {
    const cache = new HlsCache(10, 8);
    cache.set('r/a', Buffer.alloc(4), cache.epoch);
    cache.set('r/b', Buffer.alloc(4), cache.epoch);
    cache.get('r/a');
    cache.set('r/c', Buffer.alloc(4), cache.epoch);
    expect([cache.get('r/a')?.length, cache.get('r/b'), cache.get('r/c')?.length]).toEqual([4, undefined, 4]);
    cache.set('r/huge', Buffer.alloc(9), cache.epoch);
    expect(cache.get('r/huge')).toBeUndefined();
    expect(cache.bytes).toBe(8);
  });

  it('never caches a read that raced an invalidation, and clears one room only', () => {
    const cache = new HlsCache();
    const epoch = cache.epoch;
    cache.invalidate('r/index.m3u8');
    cache.set('r/index.m3u8', Buffer.from('old'), epoch);
    expect(cache.get('r/index.m3u8')).toBeUndefined();
    cache.set('r/index.m3u8', Buffer.from('new'), cache.epoch);
    cache.set('other/index.m3u8', Buffer.from('x'), cache.epoch);
    cache.clearRoom('r');
    expect(cache.get('r/index.m3u8')).toBeUndefined();
    expect(cache.get('other/index.m3u8')?.toString()).toBe('x');
  });
});

describe('ListedSegments', () => {
  it('knows the names listed lately and forgets the oldest past its capacity', () => {
    const listed = new ListedSegments();
    listed.add('a-00000.ts');
    expect(listed.has('a-00000.ts')).toBe(true);
    expect(listed.has('a-00001.ts')).toBe(false);
    for (let i = 1; i <= ListedSegments.CAPACITY; i++) listed.add(`a-${String(i).padStart(5, '0')}.ts`);
    expect(listed.size).toBe(ListedSegments.CAPACITY);
    expect(listed.has('a-00000.ts')).toBe(false);
    expect(listed.has(`a-${String(ListedSegments.CAPACITY).padStart(5, '0')}.ts`)).toBe(true);
    listed.clear();
    expect(listed.size).toBe(0);
  });
});
