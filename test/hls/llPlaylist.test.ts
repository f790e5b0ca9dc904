/**
 * The Low-Latency media and multivariant playlists against RFC 8216bis (draft-pantos-hls-
 * rfc8216bis); each test names the section it checks. Pure: no server, no ffmpeg.
 */
import { describe, expect, it } from 'vitest';
import { renderMasterPlaylist, renderMediaPlaylist } from '../../src/hls/ll/llPlaylist.js';
import type { LlWindow } from '../../src/hls/ll/llTypes.js';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { llWindow, START } from '../helpers/llWindow.js';

const full = (window: LlWindow): string => renderMediaPlaylist(window, { skip: 'no' });
const lines = (text: string): string[] => text.trimEnd().split('\n');
const tagValue = (text: string, tag: string): string | undefined => lines(text).find((line) => line.startsWith(`${tag}:`))?.slice(tag.length + 1);

describe('renderMediaPlaylist', () => {
  it('§4.4.3, §4.4.4.9, §4.4.5.3: writes the whole live playlist, tags in order', () => {
    const window = llWindow({ firstMsn: 7, segments: 2, partsPerSegment: 2, partTarget: 0.5, pendingParts: 1 });
    expect(full(window)).toBe([
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.50000,HOLD-BACK=3.00000,CAN-SKIP-UNTIL=6.00000',
      '#EXT-X-PART-INF:PART-TARGET=0.50000',
      '#EXT-X-MEDIA-SEQUENCE:7',
      '#EXT-X-DISCONTINUITY-SEQUENCE:0',
      '#EXT-X-MAP:URI="init0.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:00.000Z',
      '#EXT-X-PART:DURATION=0.50000,URI="part7.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.50000,URI="part7.1.m4s"',
      '#EXTINF:1.00000,',
      'seg7.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:01.000Z',
      '#EXT-X-PART:DURATION=0.50000,URI="part8.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.50000,URI="part8.1.m4s"',
      '#EXTINF:1.00000,',
      'seg8.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:02.000Z',
      '#EXT-X-PART:DURATION=0.50000,URI="part9.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part9.1.m4s"',
      '',
    ].join('\n'));
  });

  it('§4.4.1.2, §8: version 9 (the EXT-X-SKIP a client may ask for) in full and delta updates alike, 10 when date ranges are skipped too (v2)', () => {
    const window = llWindow({ segments: 12 });
    expect(tagValue(full(window), '#EXT-X-VERSION')).toBe('9');
    expect(tagValue(renderMediaPlaylist(window, { skip: 'yes' }), '#EXT-X-VERSION')).toBe('9');
    expect(tagValue(renderMediaPlaylist(window, { skip: 'v2' }), '#EXT-X-VERSION')).toBe('10');
    // Nothing old enough to skip: a full playlist, the same version.
    expect(tagValue(renderMediaPlaylist(llWindow({ segments: 3 }), { skip: 'v2' }), '#EXT-X-VERSION')).toBe('9');
  });

  it('§4.4.4.9: part indexes start at 0 in every segment, the pending one too, and the preload hint names the next', () => {
    const parsed = parsePlaylist(full(llWindow({ firstMsn: 3, segments: 2, partsPerSegment: 4, pendingParts: 3 })));
    expect(parsed.segments.map((segment) => segment.parts.map((part) => part.uri))).toEqual([
      ['part3.0.m4s', 'part3.1.m4s', 'part3.2.m4s', 'part3.3.m4s'],
      ['part4.0.m4s', 'part4.1.m4s', 'part4.2.m4s', 'part4.3.m4s'],
    ]);
    expect(parsed.trailingParts.map((part) => part.uri)).toEqual(['part5.0.m4s', 'part5.1.m4s', 'part5.2.m4s']);
    expect(parsed.preloadHint).toBe('part5.3.m4s');
  });

  it('§4.4.4.9: INDEPENDENT=YES on the parts that start with a keyframe, and only on them', () => {
    // A keyframe inside a segment too (a GOP shorter than the segment): part 3 of segment 1.
    const window = llWindow({ segments: 3, partsPerSegment: 5, pendingParts: 2, targetDuration: 2 });
    const segments = window.segments.map((segment) => segment.msn !== 1 ? segment : { ...segment, parts: segment.parts.map((part, index) => index === 3 ? { ...part, independent: true } : part) });
    const partLines = lines(full({ ...window, segments })).filter((line) => line.startsWith('#EXT-X-PART:'));
    expect(partLines).toHaveLength(3 * 5 + 2);
    for (const line of partLines) expect(line.endsWith(',INDEPENDENT=YES')).toBe(/URI="part(\d+\.0|1\.3)\.m4s"/.test(line));
  });

  it('§6.2.2: lists parts only for segments within three target durations of the end', () => {
    // 1 s segments, target duration 1: the last three segments start within 3 s of the end.
    const noPending = parsePlaylist(full(llWindow({ segments: 8, pendingParts: null })));
    expect(noPending.segments.map((segment) => segment.parts.length)).toEqual([0, 0, 0, 0, 0, 5, 5, 5]);
    // Two pending parts (0.4 s) push the third-last segment's start to 3.4 s from the end.
    const pending = parsePlaylist(full(llWindow({ segments: 8, pendingParts: 2 })));
    expect(pending.segments.map((segment) => segment.parts.length)).toEqual([0, 0, 0, 0, 0, 0, 5, 5]);
    // Every listed part starts within 3 s of the end: measured from the end, back through the pending parts.
    const end = pending.segments.reduce((total, segment) => total + segment.duration, 0) + 0.4;
    let start = 0;
    for (const segment of pending.segments) {
      if (segment.parts.length > 0) expect(end - start).toBeLessThanOrEqual(3);
      start += segment.duration;
    }
  });

  it('§4.4.3.8: hold-backs and skip boundary at least their minimums, PART-TARGET at least every part as printed', () => {
    // 24 fps, 0.2 s configured: 5 frames, 0.208333... s, which prints as 0.20833 when rounded.
    const partTarget = 5 / 24;
    const text = full(llWindow({ segments: 4, partsPerSegment: 5, partTarget, targetDuration: 2 }));
    const parsed = parsePlaylist(text);
    const control = parsed.serverControl;
    expect(control.get('CAN-BLOCK-RELOAD')).toBe('YES');
    expect(Number(control.get('PART-HOLD-BACK'))).toBeGreaterThanOrEqual(3 * partTarget);
    expect(Number(control.get('HOLD-BACK'))).toBeGreaterThanOrEqual(3 * 2);
    expect(Number(control.get('CAN-SKIP-UNTIL'))).toBeGreaterThanOrEqual(6 * 2);
    expect(parsed.partTarget).toBeGreaterThanOrEqual(partTarget);
    const printed = parsed.segments.flatMap((segment) => segment.parts).concat(parsed.trailingParts);
    for (const part of printed) expect(part.duration).toBeLessThanOrEqual(parsed.partTarget!);
  });

  it('§4.4.4.1, §4.4.3.1: EXTINF with 5 decimals, each no more than TARGETDURATION once rounded', () => {
    const text = full(llWindow({ segments: 3, partsPerSegment: 7, partTarget: 5 / 24, targetDuration: 2 }));
    const durations = lines(text).filter((line) => line.startsWith('#EXTINF:'));
    expect(durations).toEqual(Array(3).fill('#EXTINF:1.45833,'));
    for (const segment of parsePlaylist(text).segments) expect(Math.round(segment.duration)).toBeLessThanOrEqual(2);
  });

  it('§4.4.4.6, §6.2.1: EXT-X-PROGRAM-DATE-TIME on every segment, ISO 8601 with milliseconds and Z', () => {
    const parsed = parsePlaylist(full(llWindow({ segments: 5, partsPerSegment: 3, partTarget: 1 / 3 })));
    expect(parsed.segments.map((segment) => segment.programDateTime)).toEqual([0, 1, 2, 3, 4].map((i) => START + i * 1000));
    for (const line of lines(full(llWindow()))) {
      if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) expect(line).toMatch(/^#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('§6.2.5.1, §4.4.5.2: a delta update replaces the segments beyond the skip boundary with EXT-X-SKIP', () => {
    // Twelve 1 s segments, boundary 6 s: the five oldest end more than 6 s before the end of the last.
    const window = llWindow({ firstMsn: 20, segments: 12, discontinuitySequence: 2 });
    const text = renderMediaPlaylist(window, { skip: 'yes' });
    const parsed = parsePlaylist(text);
    expect(tagValue(text, '#EXT-X-SKIP')).toBe('SKIPPED-SEGMENTS=5');
    expect(parsed.mediaSequence).toBe(20);
    expect(parsed.discontinuitySequence).toBe(2);
    expect(parsed.segments.map((segment) => segment.uri)[0]).toBe('seg25.m4s');
    expect(parsed.segments).toHaveLength(7);
    // The map applies to the segments left, so it stays (§6.2.5.1: tags not skipped remain).
    expect(parsed.segments[0]!.map).toBe('init0.mp4');
    // §4.4.3.3: EXT-X-DISCONTINUITY-SEQUENCE before the skip, which stands for segments.
    expect(text.indexOf('#EXT-X-DISCONTINUITY-SEQUENCE')).toBeLessThan(text.indexOf('#EXT-X-SKIP'));
    expect(tagValue(renderMediaPlaylist(window, { skip: 'v2' }), '#EXT-X-SKIP')).toBe('SKIPPED-SEGMENTS=5,RECENTLY-REMOVED-DATERANGES=""');
  });

  it('§6.2.5.1: no delta update unless asked, unless segments are old enough, or once ended', () => {
    expect(full(llWindow({ segments: 12 }))).not.toContain('#EXT-X-SKIP');
    // Seven 1 s segments: the oldest ends exactly 6 s before the end, not beyond the boundary.
    expect(renderMediaPlaylist(llWindow({ segments: 7 }), { skip: 'yes' })).not.toContain('#EXT-X-SKIP');
    expect(renderMediaPlaylist(llWindow({ segments: 8 }), { skip: 'yes' })).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=1');
    expect(renderMediaPlaylist(llWindow({ segments: 12, ended: true }), { skip: 'yes' })).not.toContain('#EXT-X-SKIP');
  });

  it('§4.4.4.3, §4.4.4.5, §6.2.2: a new producer: DISCONTINUITY then the new MAP; sequence numbers survive the window sliding', () => {
    const before = llWindow({ firstMsn: 10, segments: 6, discontinuityAt: [13], discontinuitySequence: 3 });
    const text = full(before);
    expect(lines(text).filter((line) => line.startsWith('#EXT-X-MAP:'))).toEqual(['#EXT-X-MAP:URI="init0.mp4"', '#EXT-X-MAP:URI="init1.mp4"']);
    const at = lines(text).indexOf('#EXT-X-DISCONTINUITY');
    expect(lines(text).slice(at, at + 3)).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-MAP:URI="init1.mp4"', '#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:03.000Z']);
    const parsedBefore = parsePlaylist(text);
    expect(parsedBefore.segments.map((segment) => segment.discontinuitySequence)).toEqual([3, 3, 3, 4, 4, 4]);
    // Segments 10-13 leave; 13 carried the discontinuity, so the packager adds one (llTypes.ts).
    const after = llWindow({ firstMsn: 14, segments: 2, discontinuitySequence: 4, start: START + 4000 });
    const parsedAfter = parsePlaylist(full({ ...after, segments: after.segments.map((segment) => ({ ...segment, map: 'init1.mp4' })) }));
    expect(parsedAfter.segments.map((segment) => [segment.uri, segment.discontinuitySequence, segment.map])).toEqual([
      ['seg14.m4s', 4, 'init1.mp4'],
      ['seg15.m4s', 4, 'init1.mp4'],
    ]);
    expect(parsedBefore.segments.find((segment) => segment.uri === 'seg14.m4s')!.discontinuitySequence).toBe(4);
  });

  it('§4.4.4.9: a pending segment after a discontinuity gets DISCONTINUITY, MAP and its date before its first part', () => {
    const text = full(llWindow({ firstMsn: 0, segments: 2, discontinuityAt: [2], pendingParts: 1 }));
    const tail = lines(text).slice(-5);
    expect(tail).toEqual([
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="init1.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:02.000Z',
      '#EXT-X-PART:DURATION=0.20000,URI="part2.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part2.1.m4s"',
    ]);
    // Before its first part nothing of it is listed: the hint alone (§4.4.5.3 lets the tags come later).
    expect(lines(full(llWindow({ segments: 2, discontinuityAt: [2], pendingParts: 0 }))).slice(-3)).toEqual([
      '#EXTINF:1.00000,', 'seg1.m4s', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part2.0.m4s"',
    ]);
  });

  it('§4.4.3.4, §4.4.5.3: an ended playlist has EXT-X-ENDLIST and no preload hint, parts or reports of a live edge', () => {
    const window = { ...llWindow({ segments: 3 }), ended: true, preloadHint: 'part3.2.m4s' };
    const text = renderMediaPlaylist(window, { skip: 'yes', renditionReports: [{ uri: 'v1.m3u8', lastMsn: 3, lastPart: 1 }] });
    expect(lines(text).at(-1)).toBe('#EXT-X-ENDLIST');
    expect(text).not.toContain('#EXT-X-PRELOAD-HINT');
    expect(text).not.toContain('#EXT-X-RENDITION-REPORT');
    expect(parsePlaylist(text)).toMatchObject({ ended: true, trailingParts: [], preloadHint: null });
    expect(parsePlaylist(text).segments).toHaveLength(3);
  });

  it('§4.4.5.4: rendition reports after the live edge', () => {
    const text = renderMediaPlaylist(llWindow(), { skip: 'no', renditionReports: [{ uri: '../v1/index.m3u8', lastMsn: 4, lastPart: 1 }] });
    expect(lines(text).at(-1)).toBe('#EXT-X-RENDITION-REPORT:URI="../v1/index.m3u8",LAST-MSN=4,LAST-PART=1');
    expect(parsePlaylist(text).renditionReports).toEqual([{ uri: '../v1/index.m3u8', lastMsn: 4, lastPart: 1 }]);
  });

  it('§4.2: refuses values that would break the playlist, with the reason', () => {
    const window = llWindow({ segments: 1 });
    expect(() => full({ ...window, preloadHint: 'a"b' })).toThrow(/preload hint URI must be non-empty, without quotes or line breaks/);
    expect(() => full({ ...window, segments: [{ ...window.segments[0]!, uri: 'seg\n#EXT-X-ENDLIST' }] })).toThrow(/one non-empty line/);
    expect(() => full({ ...window, segments: [{ ...window.segments[0]!, duration: Number.NaN }] })).toThrow(/non-negative number of seconds/);
    expect(() => renderMediaPlaylist(window, { skip: 'no', renditionReports: [{ uri: 'v1.m3u8', lastMsn: -1, lastPart: 0 }] })).toThrow(/LAST-MSN/);
  });
});

describe('renderMasterPlaylist', () => {
  it('§4.4.6.2, §4.4.2.1: one EXT-X-STREAM-INF per rendition with BANDWIDTH, CODECS and RESOLUTION', () => {
    const text = renderMasterPlaylist([
      { uri: 'v0/index.m3u8', bandwidth: 2_500_000, averageBandwidth: 2_000_000, codecs: 'avc1.64001f,mp4a.40.2', resolution: { width: 1280, height: 720 }, frameRate: 30 },
      { uri: 'v1/index.m3u8', bandwidth: 800_000, codecs: 'avc1.4d401e,mp4a.40.2' },
    ]);
    expect(text).toBe([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000',
      'v0/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2"',
      'v1/index.m3u8',
      '',
    ].join('\n'));
    expect(parsePlaylist(text)).toMatchObject({ master: true, variants: ['v0/index.m3u8', 'v1/index.m3u8'] });
  });

  it('§4.4.6.2: refuses an empty list and attributes that are not what the RFC types say', () => {
    expect(() => renderMasterPlaylist([])).toThrow(/at least one variant/);
    expect(() => renderMasterPlaylist([{ uri: 'v0.m3u8', bandwidth: 1.5, codecs: 'avc1' }])).toThrow(/BANDWIDTH must be a positive whole number/);
    expect(() => renderMasterPlaylist([{ uri: 'v0.m3u8', bandwidth: 1, codecs: 'a"b' }])).toThrow(/CODECS/);
    expect(() => renderMasterPlaylist([{ uri: 'v0.m3u8', bandwidth: 1, codecs: 'avc1', resolution: { width: 0, height: 1 } }])).toThrow(/width/);
    expect(() => renderMasterPlaylist([{ uri: 'v0.m3u8', bandwidth: 1, codecs: 'avc1', frameRate: -1 }])).toThrow(/FRAME-RATE/);
  });
});
