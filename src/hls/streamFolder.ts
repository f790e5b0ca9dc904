import { mkdir, rm } from 'node:fs/promises';
import { mediaPlaylists, type TranscodePlan } from './ffmpegArgs.js';
import { lastSequences } from './playlistFiles.js';

/** What a new ffmpeg finds in the room's HLS folder. */
export interface PreparedFolder {
  /** Classic HLS resumed: the media sequence each playlist reached, so numbering goes on. */
  readonly knownSequences?: Map<string, number>;
  /** The previous stream's files were removed (its listed segments are gone). */
  readonly cleared: boolean;
}

/**
 * Readies the room's HLS folder for a new ffmpeg. Low-Latency HLS keeps nothing there (the live
 * window is in memory); classic HLS continues a resumed stream's playlists (`resumed`: the plan
 * it had), or starts from an empty folder.
 */
export async function prepareStreamFolder(dir: string, lowLatency: boolean, resumed: TranscodePlan | null): Promise<PreparedFolder> {
  let prepared: PreparedFolder = { cleared: false };
  if (!lowLatency && resumed !== null) prepared = { cleared: false, knownSequences: await lastSequences(dir, mediaPlaylists(resumed)) };
  else if (!lowLatency) {
    await rm(dir, { recursive: true, force: true });
    prepared = { cleared: true };
  }
  await mkdir(dir, { recursive: true });
  return prepared;
}
