/**
 * What a room worker counts for the metrics, as plain numbers bumped on the hot paths (no
 * per-event allocation). They only grow; the primary asks for them (`worker.stats`) when stats
 * or metrics are read.
 */
export interface WorkerCounters {
  /** Chat messages accepted from clients. */
  messagesIn: number;
  /** Frames written to joined clients by broadcasts (a message to 100 clients counts 100). */
  deliveries: number;
  slowConsumers: number;
  rateLimited: number;
  /** History requests refused with HISTORY_BUSY (one at a time per connection, a few per room). */
  historyBusy: number;
  ingestBytes: number;
  streamsStarted: number;
  /** ffmpeg exits that were not a clean end of stream (crash, kill, bad input). */
  ffmpegFailures: number;
  /** Recordings stopped early by a failed write (a full disk, no permission). */
  recordingFailures: number;
  /** Blocking LL-HLS requests refused by the per-address or per-room bound (429, 503 HLS_BUSY). */
  hlsHoldsRefused: number;
  /** Blocking LL-HLS requests whose part did not come within 3 target durations (503 HLS_NOT_READY). */
  hlsHoldsExpired: number;
  /** Requests made to the join and publish hook (AUTH_HOOK_URL). */
  authHookCalls: number;
  /** Joins and publishes answered from the hook's cache (no request). */
  authHookCached: number;
  /** Hook answers that refused (403). */
  authHookDenied: number;
  /** Hook calls that timed out, failed or answered something unusable (AUTH_HOOK_FAILURE applied). */
  authHookFailures: number;
}

/** Every counter at zero: a worker starts from a copy (`{ ...ZERO_WORKER_COUNTERS }`); its keys are every counter. */
export const ZERO_WORKER_COUNTERS: Readonly<WorkerCounters> = Object.freeze({
  messagesIn: 0,
  deliveries: 0,
  slowConsumers: 0,
  rateLimited: 0,
  historyBusy: 0,
  ingestBytes: 0,
  streamsStarted: 0,
  ffmpegFailures: 0,
  recordingFailures: 0,
  hlsHoldsRefused: 0,
  hlsHoldsExpired: 0,
  authHookCalls: 0,
  authHookCached: 0,
  authHookDenied: 0,
  authHookFailures: 0,
});
