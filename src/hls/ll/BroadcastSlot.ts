import { renditionCount, type TranscodePlan } from '../ffmpegArgs.js';
import type { RecordableSegment } from '../recordable.js';
import { LlBroadcast } from './LlBroadcast.js';

export interface BroadcastSlotEvents {
  /** A part was added or a playlist changed, or the broadcast was replaced. */
  readonly changed: () => void;
  /** A complete segment of the new broadcast's source rendition (for the recorder). */
  readonly recordable: (segment: RecordableSegment) => void;
}

/**
 * A room's Low-Latency HLS broadcast (live, or the last one, ended) and the one a new ffmpeg
 * writes into: the held one for a producer that came back, else a new one (the previous
 * broadcast's playlists are gone from then on, its held requests answered). Media sequence
 * numbers go on from the previous broadcast's (or worker's): a cache that kept a blocking answer
 * for `_HLS_msn=5` of the last one never hands it to this one's players. A broadcast suspended
 * by a rolling restart continues in the new worker's first broadcast after a discontinuity.
 */
export class BroadcastSlot {
  readonly #events: BroadcastSlotEvents;
  #current: LlBroadcast | null = null;
  /** The previous worker's last Discontinuity Sequence Number, for the broadcast that continues it. */
  #continues: number | null = null;

  constructor(events: BroadcastSlotEvents) {
    this.#events = events;
  }

  get current(): LlBroadcast | null {
    return this.#current;
  }

  /** The next broadcast that resumes a held stream continues the previous worker's (suspended) one. */
  continueFrom(discontinuity: number): void {
    this.#continues = discontinuity;
  }

  /** The broadcast for a new ffmpeg of `plan`; `append`: it resumes the held stream. */
  for(plan: TranscodePlan, append: boolean, carriedMsn: number): LlBroadcast {
    if (append && this.#current) return this.#current;
    const previous = this.#current;
    previous?.end();
    const continues = append && previous === null ? this.#continues : null;
    this.#continues = null;
    const broadcast = new LlBroadcast({
      id: plan.streamId,
      firstMsn: previous?.nextMsn ?? carriedMsn,
      renditions: renditionCount(plan),
      partSeconds: plan.partSeconds,
      segmentSeconds: plan.segmentSeconds,
      windowSegments: plan.windowSegments,
      afterDiscontinuity: continues ?? undefined,
    });
    broadcast.on('changed', () => this.#events.changed());
    broadcast.source.on('segment', (segment) => this.#events.recordable(segment));
    this.#current = broadcast;
    this.#events.changed();
    return broadcast;
  }

  /** The room's files are gone (a deleted room). */
  clear(): void {
    this.#current = null;
    this.#continues = null;
  }
}
