import { mkdir, rm } from 'node:fs/promises';
import { mediaPlaylists, type TranscodePlan } from './ffmpegArgs.js';
import { savedNextMsn } from './ll/carriedMsn.js';
import { lastSequences } from './playlistFiles.js';

/** What a new ffmpeg finds in the room's HLS folder. */
export interface PreparedFolder {
  /** Classic HLS resumed: the media sequence each playlist reached, so numbering goes on. */
  readonly knownSequences?: Map<string, number>;
  /** The previous stream's files were removed (its listed segments are gone). */
  readonly cleared: boolean;
  /** Low-Latency HLS: where the room's previous worker left the media sequence (0 if none). */
  readonly carriedMsn: number;
}

/**
 * Readies the room's HLS folder for a new ffmpeg. Low-Latency HLS keeps nothing there (the live
 * window is in memory, but for the media sequence a previous worker reached); classic HLS continues a resumed stream's playlists (`resumed`: the plan
 * it had), or starts from an empty folder.
 */
export async function prepareStreamFolder(dir: string, lowLatency: boolean, resumed: TranscodePlan | null): Promise<PreparedFolder> {
  let prepared: PreparedFolder = { cleared: false, carriedMsn: lowLatency ? await savedNextMsn(dir, true) : 0 };
  if (!lowLatency && resumed !== null) prepared = { cleared: false, carriedMsn: 0, knownSequences: await lastSequences(dir, mediaPlaylists(resumed)) };
  else if (!lowLatency) {
    await rm(dir, { recursive: true, force: true });
    prepared = { cleared: true, carriedMsn: 0 };
  }
  await mkdir(dir, { recursive: true });
  return prepared;
}
