import { EventEmitter } from 'node:events';
import { LADDER, PLAYLIST_NAME } from '../ffmpegArgs.js';
import { LlRendition } from './LlRendition.js';

export interface LlBroadcastOptions {
  /** Unique per broadcast (letters and digits): in every file name. */
  readonly id: string;
  /** The first segment's media sequence number (the room's previous broadcast's next). */
  readonly firstMsn: number;
  /** 1, or 1 + LADDER.length with an adaptive ladder. */
  readonly renditions: number;
  readonly partSeconds: number;
  readonly segmentSeconds: number;
  readonly windowSegments: number;
  /** Continues a broadcast of the previous worker (a rolling restart): see LlRenditionOptions.afterDiscontinuity. */
  readonly afterDiscontinuity?: number;
}

/** One rendition as the master playlist lists it. */
export interface LlVariant {
  readonly playlist: string;
  readonly rendition: LlRendition;
  /** Bits per second it is encoded at (the ladder's rates; the source's is measured). */
  readonly nominalBandwidth: number | null;
}

export interface LlBroadcastEvents {
  /** Something changed in one of the renditions (held requests look again). */
  changed: [];
}

/**
 * One broadcast in Low-Latency HLS mode: its renditions' live windows in memory, for as long
 * as the broadcast lasts (a producer that drops and comes back continues it) and after it ends
 * (an ended playlist stays readable) until the next broadcast of the room replaces it.
 * With one rendition its playlist is `index.m3u8`; with a ladder `index.m3u8` is the master
 * over `v0.m3u8` (the source), `v1.m3u8`...
 */
export class LlBroadcast extends EventEmitter<LlBroadcastEvents> {
  readonly id: string;
  readonly variants: readonly LlVariant[];
  readonly #byPlaylist = new Map<string, LlVariant>();
  #version = 0;

  constructor(options: LlBroadcastOptions) {
    super();
    this.id = options.id;
    const single = options.renditions === 1;
    this.variants = Array.from({ length: options.renditions }, (_, i) => {
      const rendition = new LlRendition({
        prefix: single ? options.id : `${options.id}v${i}`,
        partSeconds: options.partSeconds,
        segmentSeconds: options.segmentSeconds,
        windowSegments: options.windowSegments,
        firstMsn: options.firstMsn,
        afterDiscontinuity: options.afterDiscontinuity,
      });
      rendition.on('changed', () => {
        this.#version += 1;
        this.emit('changed');
      });
      const ladderStep = i === 0 ? undefined : LADDER[i - 1];
      return {
        playlist: single ? PLAYLIST_NAME : `v${i}.m3u8`,
        rendition,
        nominalBandwidth: ladderStep ? (ladderStep.videoKbps + ladderStep.audioKbps) * 1000 : null,
      };
    });
    for (const variant of this.variants) this.#byPlaylist.set(variant.playlist, variant);
  }

  /** Grows at every change of any rendition: a playlist written at one version stays right until the next. */
  get version(): number {
    return this.#version;
  }

  /** The media sequence number a next broadcast of the room starts at. */
  get nextMsn(): number {
    return Math.max(...this.variants.map((variant) => variant.rendition.nextMsn));
  }

  get source(): LlRendition {
    return this.variants[0]!.rendition;
  }

  /** The Discontinuity Sequence Number of the source rendition's newest segment (a continuing broadcast numbers on). */
  get lastDiscontinuity(): number {
    return this.source.lastDiscontinuity;
  }

  /** Whether `index.m3u8` is a master playlist. */
  get hasMaster(): boolean {
    return this.variants.length > 1;
  }

  /** The media playlist of this name, if it is one of the broadcast's. */
  variant(playlist: string): LlVariant | null {
    return this.#byPlaylist.get(playlist) ?? null;
  }

  /** Every rendition has a complete segment: the playlists are worth opening. */
  get ready(): boolean {
    return this.variants.every((variant) => variant.rendition.ready);
  }

  /** The rendition holding the file of this name (file names start with the rendition's prefix). */
  renditionOf(name: string): LlRendition | null {
    for (const variant of this.variants) if (variant.rendition.file(name) !== null || variant.rendition.isHinted(name)) return variant.rendition;
    return null;
  }

  /** The broadcast is over: every playlist gets ENDLIST. */
  end(): void {
    for (const variant of this.variants) variant.rendition.end();
  }
}
