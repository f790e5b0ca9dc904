import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from '../../kit/createLogger.js';
import { renditionFd } from '../ffmpegArgs.js';
import { Fmp4Splitter, type Fragment } from '../fmp4/Fmp4Splitter.js';
import type { InitSegment } from '../fmp4/initSegment.js';
import type { LlBroadcast } from '../ll/LlBroadcast.js';
import type { CompletedSegment, LlRendition } from '../ll/LlRendition.js';
import type { OutputSink, TranscoderOutput } from './TranscoderOutput.js';

/**
 * Low-Latency HLS: ffmpeg writes fragmented MP4 on one pipe per rendition; each fragment is a
 * part of the broadcast's live window the moment it arrives. Nothing goes to disk here (the
 * recorder keeps segments), so no playlist is ever rewritten in place.
 */
export class FragmentPipeOutput implements TranscoderOutput {
  readonly stdio: StdioOptions;
  readonly #broadcast: LlBroadcast;
  readonly #logger: Logger;
  readonly #pipesClosed: Promise<void>[] = [];
  readonly #detach: (() => void)[] = [];

  constructor(broadcast: LlBroadcast, logger: Logger) {
    this.#broadcast = broadcast;
    this.#logger = logger;
    const count = broadcast.variants.length;
    this.stdio = ['pipe', 'pipe', 'pipe', ...Array.from({ length: count - 1 }, () => 'pipe' as const)];
  }

  attach(child: ChildProcess, sink: OutputSink): void {
    this.#broadcast.variants.forEach(({ rendition }, i) => {
      const pipe = child.stdio[renditionFd(i)] as Readable | null;
      if (!pipe) throw new Error(`ffmpeg has no pipe on fd ${renditionFd(i)}`);
      this.#pipesClosed.push(this.#read(pipe, rendition, i, sink));
      const onSegment = (segment: CompletedSegment) => {
        sink.listed(segment.uri);
        if (i === 0) sink.segment(segment.uri, segment.duration);
        if (this.#broadcast.ready) sink.ready();
      };
      rendition.on('segment', onSegment);
      this.#detach.push(() => rendition.off('segment', onSegment));
    });
  }

  /** Every pipe has ended by the time ffmpeg's exit is seen; the renditions close their last segments. */
  async drain(): Promise<void> {
    await Promise.all(this.#pipesClosed);
    for (const { rendition } of this.#broadcast.variants) rendition.finish();
    for (const detach of this.#detach.splice(0)) detach();
  }

  #read(pipe: Readable, rendition: LlRendition, index: number, sink: OutputSink): Promise<void> {
    const splitter = new Fmp4Splitter();
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      sink.fail(`ffmpeg wrote fragmented MP4 the server cannot read (rendition ${index}): ${error instanceof Error ? error.message : String(error)}`);
    };
    splitter.on('init', (init) => rendition.begin(init.bytes, describe(init)));
    splitter.on('fragment', (fragment) => rendition.add({ ...fragment, frameSeconds: frameSeconds(fragment) }, fragment.start, Date.now()));
    splitter.on('error', fail);
    pipe.on('data', (chunk: Buffer) => {
      if (failed) return;
      // Whatever the stream's bytes make the packager throw stops this ffmpeg, never the worker.
      try {
        splitter.push(chunk);
      } catch (error) {
        fail(error);
      }
    });
    return new Promise((resolve) => {
      pipe.once('close', () => {
        const { discarded } = splitter.end();
        // ffmpeg stopped mid-fragment (killed, or its input cut): the incomplete fragment is not a part.
        if (discarded > 0) this.#logger.info({ rendition: index, bytes: discarded }, 'incomplete last fragment dropped');
        resolve();
      });
      pipe.on('error', (error) => this.#logger.debug({ err: error, rendition: index }, 'fMP4 pipe error'));
    });
  }
}

/** The mean frame time of the track that timed the fragment (its duration over its samples). */
function frameSeconds(fragment: Fragment): number {
  const samples = fragment.tracks.get(fragment.referenceTrack)?.samples ?? 0;
  return samples > 0 ? fragment.duration / samples : 0;
}

function describe(init: InitSegment): { codecs: string; width?: number; height?: number } {
  const video = init.tracks.find((track) => track.kind === 'video');
  return {
    codecs: init.tracks.map((track) => track.codec).join(','),
    ...(video?.width !== undefined && video.height !== undefined ? { width: video.width, height: video.height } : {}),
  };
}
