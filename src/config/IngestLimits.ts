/**
 * What one producer may cost a worker, whatever carries its bytes (INGEST_* settings; see the
 * README). The caps keep one producer from taking a worker's CPU or memory from its other rooms.
 */
export interface IngestLimits {
  /** Average bytes per second a producer may push (INGEST_MAX_KBPS). */
  readonly maxBytesPerSecond: number;
  /** How many seconds of `maxBytesPerSecond` may come at once, e.g. catching up after a stall. */
  readonly burstSeconds: number;
  /** WebSocket frames per second (MediaRecorder sends a few); bursts of `burstSeconds` of them. */
  readonly maxFramesPerSecond: number;
  /** An HTTP ingest bringing less than this over `rateWindowMs` (while it is read) is cut. */
  readonly minBytesPerSecond: number;
  readonly rateWindowMs: number;
  /** An RTMP publisher that sends no media this long (after publish, or mid-stream) is cut. */
  readonly mediaTimeoutMs: number;
}
