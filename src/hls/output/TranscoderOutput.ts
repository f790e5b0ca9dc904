import type { ChildProcess, StdioOptions } from 'node:child_process';

/** What an output tells the Transcoder supervising its ffmpeg. */
export interface OutputSink {
  /** A segment of the source rendition is complete. */
  segment(uri: string, duration: number): void;
  /** A segment of any rendition is complete and may be served. */
  listed(uri: string): void;
  /** A file of the room's folder changed (classic HLS: the worker's cache drops it). */
  file(name: string): void;
  /** Viewers may open the playlist. */
  ready(): void;
  /** The output cannot go on (ffmpeg wrote something unreadable): ffmpeg is stopped with this reason. */
  fail(reason: string): void;
}

/**
 * Where one ffmpeg's HLS goes and how the Transcoder learns of its segments: classic HLS is a
 * folder ffmpeg writes (watched), Low-Latency HLS is fragmented MP4 on pipes (read).
 */
export interface TranscoderOutput {
  /** The child's stdio (stdin is always the producer's bytes, stderr always the log). */
  readonly stdio: StdioOptions;
  /** The ffmpeg argument vector's output part comes from the plan; this starts reading what it writes. */
  attach(child: ChildProcess, sink: OutputSink): void;
  /** ffmpeg exited: whatever its last writes made is noticed before this settles. */
  drain(sink: OutputSink): Promise<void>;
}
