import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hasFpsMode, isCurrentFfmpeg, parseFfmpegVersion, type FfmpegVersion } from '../../src/hls/ffmpegVersion.js';
import { chooseFfmpeg, probe, resolveFfmpeg, type FfmpegCandidate } from '../../src/hls/resolveFfmpeg.js';

const DEBIAN = 'ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\nbuilt with gcc 12';
const SNAPSHOT_2018 = 'ffmpeg version N-47683-g0e8eb07980-static https://example.invalid/  Copyright (c) 2000-2018 the FFmpeg developers';
const RELEASE_4 = 'ffmpeg version n4.4.2 Copyright (c) 2000-2021 the FFmpeg developers';
const SNAPSHOT_2024 = 'ffmpeg version N-113000-gabcdef Copyright (c) 2000-2024 the FFmpeg developers';

const version = (text: string) => parseFfmpegVersion(text)!;
const found = (source: FfmpegCandidate['source'], text: string): FfmpegCandidate => ({ source, path: `/bin/${source}`, version: version(text), problem: null });
const missing = (source: FfmpegCandidate['source']): FfmpegCandidate => ({ source, path: null, version: null, problem: 'not found' });

/** The npm build installed as an optional dependency, when this machine has it. */
function installerBinary(): string | null {
  try {
    const exported = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return exported.path && existsSync(exported.path) ? exported.path : null;
  } catch {
    return null;
  }
}

describe('parseFfmpegVersion', () => {
  it('reads releases by their major number and snapshots by their copyright year', () => {
    expect(version(DEBIAN)).toEqual({ text: '5.1.6-0+deb12u1', major: 5, minor: 1, year: 2024 });
    expect(version(RELEASE_4)).toMatchObject({ major: 4 });
    expect(version(SNAPSHOT_2018)).toEqual({ text: 'N-47683-g0e8eb07980-static', major: null, minor: null, year: 2018 });
    expect(parseFfmpegVersion('hello')).toBeNull();
  });

  it('knows which versions take -fps_mode (5.1 on) instead of -vsync', () => {
    expect(hasFpsMode(version(DEBIAN))).toBe(true);
    expect(hasFpsMode(version('ffmpeg version 5.0.1 Copyright (c) 2000-2022'))).toBe(false);
    expect(hasFpsMode(version('ffmpeg version n7.1 Copyright (c) 2000-2024'))).toBe(true);
    expect(hasFpsMode(version(RELEASE_4))).toBe(false);
    expect(hasFpsMode(version(SNAPSHOT_2018))).toBe(false);
    expect(hasFpsMode(version(SNAPSHOT_2024))).toBe(true);
    expect(hasFpsMode(null)).toBe(false);
  });

  it('counts 5.0 and later (or a snapshot from 2022 on) as current', () => {
    expect(isCurrentFfmpeg(version(DEBIAN))).toBe(true);
    expect(isCurrentFfmpeg(version(SNAPSHOT_2024))).toBe(true);
    expect(isCurrentFfmpeg(version(RELEASE_4))).toBe(false);
    expect(isCurrentFfmpeg(version(SNAPSHOT_2018))).toBe(false);
    // A release stamped with a late build year is still judged by its number.
    expect(isCurrentFfmpeg(version('ffmpeg version 4.3.8 Copyright (c) 2000-2025'))).toBe(false);
  });
});

describe('chooseFfmpeg', () => {
  it('prefers a current ffmpeg on PATH over the npm builds', () => {
    const chosen = chooseFfmpeg([found('PATH', DEBIAN), found('ffmpeg-static', SNAPSHOT_2018), found('@ffmpeg-installer/ffmpeg', SNAPSHOT_2018)]);
    expect(chosen).toMatchObject({ source: 'PATH', current: true });
  });

  it('takes a current npm build when PATH has an old ffmpeg', () => {
    const chosen = chooseFfmpeg([found('PATH', RELEASE_4), found('ffmpeg-static', SNAPSHOT_2024), found('@ffmpeg-installer/ffmpeg', SNAPSHOT_2018)]);
    expect(chosen).toMatchObject({ source: 'ffmpeg-static', current: true });
  });

  it('falls back to the least old one, marked not current, when nothing is current', () => {
    expect(chooseFfmpeg([found('PATH', RELEASE_4), missing('ffmpeg-static'), found('@ffmpeg-installer/ffmpeg', SNAPSHOT_2018)])).toMatchObject({ source: 'PATH', current: false });
    expect(chooseFfmpeg([missing('PATH'), missing('ffmpeg-static'), found('@ffmpeg-installer/ffmpeg', SNAPSHOT_2018)])).toMatchObject({
      source: '@ffmpeg-installer/ffmpeg',
      current: false,
    });
  });

  it('uses FFMPEG_PATH as it is, old or not, and refuses one that does not run', () => {
    expect(chooseFfmpeg([found('FFMPEG_PATH', SNAPSHOT_2018)])).toMatchObject({ source: 'FFMPEG_PATH', current: false });
    expect(() => chooseFfmpeg([{ source: 'FFMPEG_PATH', path: '/nope', version: null, problem: 'not an executable file' }])).toThrow(/FFMPEG_PATH=\/nope: not an executable file/);
  });

  it('says what it tried when there is no ffmpeg at all', () => {
    const broken: FfmpegCandidate = { source: 'PATH', path: '/usr/bin/ffmpeg', version: null, problem: 'not ffmpeg (no version line)' };
    expect(() => chooseFfmpeg([broken, missing('ffmpeg-static'), missing('@ffmpeg-installer/ffmpeg')])).toThrow(/No ffmpeg binary found .*not ffmpeg.*ffmpeg-static: not found/);
  });
});

describe('resolveFfmpeg on this machine', () => {
  it('probes real binaries: the system ffmpeg is current, the 2018 npm build is not', async () => {
    const system = await probe('PATH', '/usr/bin/ffmpeg');
    expect(system.problem).toBeNull();
    expect(isCurrentFfmpeg(system.version as FfmpegVersion)).toBe(true);
    const npm = installerBinary();
    if (npm !== null) {
      const old = await probe('@ffmpeg-installer/ffmpeg', npm);
      expect(old.problem).toBeNull();
      expect(isCurrentFfmpeg(old.version as FfmpegVersion)).toBe(false);
    }
    expect((await probe('PATH', '/etc/passwd')).problem).toBe('not an executable file');
  });

  it('chooses the system ffmpeg on PATH over the installed npm builds', async () => {
    const chosen = await resolveFfmpeg({ configured: undefined, searchPath: '/usr/bin' });
    expect(chosen).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'PATH', current: true });
    expect(chosen.version?.major).toBeGreaterThanOrEqual(5);
  });

  it('keeps an explicit FFMPEG_PATH, even when it is old', async () => {
    const npm = installerBinary();
    if (npm === null) return;
    expect(await resolveFfmpeg({ configured: npm, searchPath: '/usr/bin' })).toMatchObject({ path: npm, source: 'FFMPEG_PATH', current: false });
    await expect(resolveFfmpeg({ configured: '/nonexistent/ffmpeg', searchPath: '/usr/bin' })).rejects.toThrow(/FFMPEG_PATH/);
  });
});
