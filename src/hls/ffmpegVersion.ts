/**
 * What `ffmpeg -version` says about a binary, and whether that is current. Pure, unit-tested.
 *
 * Release builds print `ffmpeg version 5.1.6-0+deb12u1 ...` (or `n6.0`); git snapshots, such as
 * the static builds the npm packages download, print `ffmpeg version N-47683-g0e8eb07980-static`
 * and only their copyright line tells their age (`Copyright (c) 2000-2018`).
 */
export interface FfmpegVersion {
  /** The version word as printed (`5.1.6-0+deb12u1`, `N-47683-g0e8eb07980-static`). */
  readonly text: string;
  /** The release's major and minor numbers; null for a git snapshot. */
  readonly major: number | null;
  readonly minor: number | null;
  /** The last year of the copyright line: when the source was cut. */
  readonly year: number | null;
}

/**
 * FFmpeg 5.0 (January 2022) and later count as current: older builds miss years of decoder
 * fixes (they parse producer-controlled media), and the 2018 static builds the npm packages
 * download write segments in place despite `-hls_flags temp_file`.
 */
export const CURRENT_FFMPEG_MAJOR = 5;
const CURRENT_FFMPEG_YEAR = 2022;

/** Reads the first lines of `ffmpeg -version`; null when the text is not ffmpeg's. */
export function parseFfmpegVersion(output: string): FfmpegVersion | null {
  const word = /^ffmpeg version (\S+)/m.exec(output)?.[1];
  if (word === undefined) return null;
  const release = /^n?(\d+)\.(\d+)/.exec(word);
  const copyright = /Copyright \(c\) \d{4}-(\d{4})/.exec(output);
  return {
    text: word,
    major: release ? Number(release[1]) : null,
    minor: release ? Number(release[2]) : null,
    year: copyright ? Number(copyright[1]) : null,
  };
}

export function isCurrentFfmpeg(version: FfmpegVersion): boolean {
  return ffmpegRecency(version) >= CURRENT_FFMPEG_YEAR;
}

/**
 * Roughly the year the build's source is from, to pick the least old when nothing current is
 * found. A release's major number is used (distributions stamp their build year into the
 * copyright line); a snapshot has only its copyright year.
 */
export function ffmpegRecency(version: FfmpegVersion): number {
  if (version.major !== null) return CURRENT_FFMPEG_YEAR + version.major - CURRENT_FFMPEG_MAJOR;
  return version.year ?? 0;
}

/**
 * Whether the binary takes `-fps_mode` (added in 5.1); older ones only know `-vsync`, which
 * later ones still take but warn about.
 */
export function hasFpsMode(version: FfmpegVersion | null): boolean {
  if (version === null) return false;
  if (version.major !== null) return version.major > 5 || (version.major === 5 && (version.minor ?? 0) >= 1);
  return (version.year ?? 0) >= 2023;
}
