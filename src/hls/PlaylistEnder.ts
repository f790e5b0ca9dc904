import { mediaPlaylists, type TranscodePlan } from './ffmpegArgs.js';
import { closePlaylists } from './playlistFiles.js';

/**
 * Ends a room's streams' playlists (ENDLIST, written by the server, never by ffmpeg: a dropped
 * stream may resume into them), one end after another, so that a new stream can wait for the
 * ends before it (`pending`) before it touches the folder.
 */
export class PlaylistEnder {
  #pending: Promise<void> | null = null;

  /** Every end asked so far is written once this settles; null when none is under way. */
  get pending(): Promise<void> | null {
    return this.#pending;
  }

  /**
   * Writes ENDLIST into the media playlists of `plan` (null: no stream ever ran) after the ends
   * before it; `onFile` hears each playlist changed, and `ended` runs once it is written (or
   * failed), after `pending` has moved on.
   */
  end(plan: TranscodePlan | null, onFile: (name: string) => void, ended: () => void): void {
    const previous = this.#pending;
    const ending = (async () => {
      await previous;
      if (plan === null) return;
      for (const name of await closePlaylists(plan.outputDir, mediaPlaylists(plan))) onFile(name);
    })();
    this.#pending = ending;
    void ending.finally(() => {
      if (this.#pending === ending) this.#pending = null;
      ended();
    });
  }
}
