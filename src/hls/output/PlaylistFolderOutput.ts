import type { ChildProcess, StdioOptions } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../kit/createLogger.js';
import { hasLadder, mediaPlaylists, PLAYLIST_NAME, type TranscodePlan } from '../ffmpegArgs.js';
import { parsePlaylist } from '../playlist.js';
import type { OutputSink, TranscoderOutput } from './TranscoderOutput.js';

/**
 * Classic HLS: ffmpeg writes MPEG-TS segments and playlists into the room's folder; segments
 * are learnt from the media playlists as ffmpeg rewrites them (a folder watch).
 */
export class PlaylistFolderOutput implements TranscoderOutput {
  readonly stdio: StdioOptions = ['pipe', 'ignore', 'pipe'];
  readonly #plan: TranscodePlan;
  readonly #logger: Logger;
  /** Per media playlist, the media sequence number of the newest segment seen. */
  readonly #lastSequence: Map<string, number>;
  /** Per media playlist, a read in progress, and whether another must follow it. */
  readonly #reads = new Map<string, { again: boolean }>();
  #watcher: FSWatcher | undefined;
  #segments = 0;

  /** `knownSequences`: appending (plan.append), per media playlist the newest sequence number already listed before. */
  constructor(plan: TranscodePlan, logger: Logger, knownSequences?: ReadonlyMap<string, number>) {
    this.#plan = plan;
    this.#logger = logger;
    this.#lastSequence = new Map(knownSequences);
  }

  get #mediaPlaylists(): string[] {
    return mediaPlaylists(this.#plan);
  }

  attach(_child: ChildProcess, sink: OutputSink): void {
    const playlists = new Set(this.#mediaPlaylists);
    try {
      this.#watcher = watch(this.#plan.outputDir, (_event, file) => {
        if (file) sink.file(file);
        if (file && playlists.has(file)) void this.#readPlaylist(file, sink);
        else if (file === PLAYLIST_NAME) void this.#checkReady(sink);
      });
      this.#watcher.on('error', (error) => this.#logger.warn({ err: error }, 'cannot watch the HLS folder'));
    } catch (error) {
      this.#logger.error({ err: error }, 'cannot watch the HLS folder');
    }
  }

  /** The folder watch may have missed ffmpeg's last write: its last segments are listed here. */
  async drain(sink: OutputSink): Promise<void> {
    this.#watcher?.close();
    for (const file of this.#mediaPlaylists) {
      const text = await readFile(path.join(this.#plan.outputDir, file), 'utf8').catch(() => null);
      if (text !== null) this.#noteSegments(file, text, sink);
      sink.file(file);
    }
    if (hasLadder(this.#plan)) sink.file(PLAYLIST_NAME);
  }

  /** Reads a playlist after ffmpeg wrote it; coalesces bursts of events. */
  async #readPlaylist(file: string, sink: OutputSink): Promise<void> {
    const running = this.#reads.get(file);
    if (running) {
      running.again = true;
      return;
    }
    const read = { again: true };
    this.#reads.set(file, read);
    try {
      while (read.again) {
        read.again = false;
        const text = await readFile(path.join(this.#plan.outputDir, file), 'utf8').catch(() => null);
        if (text !== null) this.#noteSegments(file, text, sink);
      }
      await this.#checkReady(sink);
    } finally {
      this.#reads.delete(file);
    }
  }

  /**
   * Notes the segments a playlist lists for the first time. ffmpeg lists a segment only once it
   * has closed it, so these are complete. A playlist read while an old ffmpeg was still writing
   * it in place (no temp_file) may end mid-line: it is skipped, the next write brings it whole.
   */
  #noteSegments(file: string, text: string, sink: OutputSink): void {
    if (!text.endsWith('\n')) return;
    let playlist;
    try {
      playlist = parsePlaylist(text);
    } catch {
      return;
    }
    const source = file === this.#mediaPlaylists[0];
    const last = this.#lastSequence.get(file) ?? -1;
    playlist.segments.forEach((segment, i) => {
      const sequence = playlist.mediaSequence + i;
      if (sequence <= last) return;
      this.#lastSequence.set(file, sequence);
      sink.listed(segment.uri);
      if (!source) return;
      this.#segments += 1;
      sink.segment(segment.uri, segment.duration);
    });
  }

  /** Ready once a segment is listed and the playlist viewers open (the master, with a ladder) exists. */
  async #checkReady(sink: OutputSink): Promise<void> {
    if (this.#segments === 0) return;
    if (hasLadder(this.#plan) && !(await readFile(path.join(this.#plan.outputDir, PLAYLIST_NAME), 'utf8').then((text) => text.startsWith('#EXTM3U'), () => false))) return;
    sink.ready();
  }
}
