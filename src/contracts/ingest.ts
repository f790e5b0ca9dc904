/** A producer's ingest as the room reports it (room info `ingest`, the producer's `GET /ingest`). */

/** How a producer's bytes reach the room (the same slot whatever the protocol). */
export type IngestProtocol = 'http' | 'websocket' | 'rtmp' | 'whip' | 'srt';

/** Something the producer should change, with what to change. */
export interface IngestWarning {
  readonly code: 'KEYFRAME_INTERVAL_LONG';
  readonly message: string;
}

/** What a producer's page (and an operator) sees of an ingest. */
export interface IngestState {
  readonly protocol: IngestProtocol;
  /** When the producer connected (ms since the epoch). */
  readonly since: number;
  readonly bytes: number;
  /** Over the last few seconds. */
  readonly bitrateKbps: number;
  readonly video: string | null;
  readonly audio: string | null;
  /** Measured (RTMP: from the keyframe tags) or inferred from the segments ffmpeg cut; null while unknown. */
  readonly keyframeIntervalSeconds: number | null;
  readonly warnings: readonly IngestWarning[];
}

/** The ingest of a room's stream, or the one the stream waits for. */
export type StreamIngest = IngestState & {
  /** The producer dropped: the stream waits for it (no ENDLIST, chat still live) until `resumeUntil`. */
  readonly held: boolean;
  readonly resumeUntil: number | null;
};
