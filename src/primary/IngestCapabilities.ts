import { probeSrtSupport } from '../hls/ffmpegProtocols.js';
import { resolveFfmpeg } from '../hls/resolveFfmpeg.js';

/** The ingest protocols that depend on the ffmpeg build, for `GET /health` and the admin stats. */
export interface IngestCapabilities {
  /** The resolved ffmpeg lists the srt protocol: SRT publishers can be received. */
  readonly srt: boolean;
  /** The shared RTMP port (RTMP_PORT) as bound; null when it is off. */
  readonly rtmpPort: number | null;
}

/** What the ffmpeg build decides (the rest of IngestCapabilities is the primary's own). */
export type FfmpegCapabilities = Pick<IngestCapabilities, 'srt'>;

/**
 * Probes, once, the ffmpeg the workers resolve (same configuration, same order) for what
 * depends on its build. The workers probe it themselves when an SRT caller comes; the primary
 * probes only to report, so it never waits on a worker for it.
 */
export class IngestProbe {
  readonly #ffmpegPath: string | undefined;
  #probe: Promise<FfmpegCapabilities> | undefined;

  constructor(ffmpegPath: string | undefined) {
    this.#ffmpegPath = ffmpegPath;
  }

  /** Never rejects: without an ffmpeg nothing is available. */
  capabilities(): Promise<FfmpegCapabilities> {
    this.#probe ??= resolveFfmpeg({ configured: this.#ffmpegPath, searchPath: process.env.PATH }).then(
      async (binary) => ({ srt: (await probeSrtSupport(binary)).available }),
      () => {
        // Probed again at the next ask: ffmpeg may be installed meanwhile.
        this.#probe = undefined;
        return { srt: false };
      },
    );
    return this.#probe;
  }
}
