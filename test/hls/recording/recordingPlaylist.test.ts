import { describe, expect, it } from 'vitest';
import { parseRecordingPlaylist, renderRecordingPlaylist, type RecordedSegment } from '../../../src/hls/recording/recordingPlaylist.js';
import { isRecordingId, newRecordingId } from '../../../src/hls/recording/recordingIds.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
const segments: RecordedSegment[] = [
  { msn: 0, duration: 2, programDateTime: T0, init: 1 },
  { msn: 1, duration: 2.4, programDateTime: T0 + 2000, init: 1 },
  { msn: 2, duration: 1.5, programDateTime: T0 + 60_000, init: 2 },
];

describe('recording playlist', () => {
  it('renders a VOD playlist with maps, a discontinuity and program date-times where the init changes', () => {
    expect(renderRecordingPlaylist(segments, true)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-MAP:URI="init-1.mp4"',
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.600Z',
        '#EXTINF:2.000,',
        'seg-0.m4s',
        '#EXTINF:2.400,',
        'seg-1.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init-2.mp4"',
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:05:05.600Z',
        '#EXTINF:1.500,',
        'seg-2.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('is an EVENT playlist without ENDLIST while recording, target duration at least 1', () => {
    const text = renderRecordingPlaylist([{ msn: 0, duration: 0.5, programDateTime: T0, init: 1 }], false);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).toContain('#EXT-X-TARGETDURATION:1');
    expect(text).not.toContain('ENDLIST');
    expect(renderRecordingPlaylist([], false)).not.toContain('EXTINF');
  });

  it('every EXTINF is within the target duration, rounded', () => {
    const text = renderRecordingPlaylist([{ msn: 0, duration: 2.0004, programDateTime: T0, init: 1 }], true);
    expect(text).toContain('#EXT-X-TARGETDURATION:3');
  });

  it('reads back what it wrote (date-times of later segments from the durations)', () => {
    expect(parseRecordingPlaylist(renderRecordingPlaylist(segments, true))).toEqual({ segments, ended: true });
    expect(parseRecordingPlaylist(renderRecordingPlaylist(segments, false)).ended).toBe(false);
  });

  it('refuses a playlist it did not write', () => {
    expect(() => parseRecordingPlaylist('hello')).toThrow(/EXTM3U/);
    expect(() => parseRecordingPlaylist('#EXTM3U\n#EXTINF:1,\nseg-0.m4s\n')).toThrow(/before its EXT-X-MAP/);
    expect(() => parseRecordingPlaylist('#EXTM3U\n#EXT-X-MAP:URI="init-1.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXTINF:1,\n../etc/passwd\n')).toThrow(/unexpected line/);
    expect(() => parseRecordingPlaylist('#EXTM3U\n#EXTINF:nope,\n')).toThrow(/bad value/);
  });

  it('makes URL-safe ids that sort by time', () => {
    const a = newRecordingId(1_000);
    const b = newRecordingId(2_000_000_000_000);
    expect(isRecordingId(a) && isRecordingId(b)).toBe(true);
    expect(a < b).toBe(true);
    expect(isRecordingId('../x')).toBe(false);
  });
});
