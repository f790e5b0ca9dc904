/** Bounds of the stream settings, shared by the env config and the per-room settings. */
export const STREAM_LIMITS = {
  /** Segment length in seconds: shorter means less latency and more requests. */
  segmentSeconds: { min: 0.5, max: 6, default: 1 },
  /** Segments in the live playlist (the window a player may seek back in). */
  windowSegments: { min: 3, max: 30, default: 6 },
  /** Low-Latency HLS part length in seconds: shorter means less latency and more requests. */
  partSeconds: { min: 0.1, max: 2, default: 0.2 },
} as const;
