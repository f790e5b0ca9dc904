// hls.js settings for the live player, shared by the watch page and the latency benchmark.
/**
 * Low latency with 1-2 s segments: play 1.5 s behind the playlist's live edge, speed up a
 * little to catch up after a stall, and jump back when more than 6 s behind.
 */
export const HLS_CONFIG = {
  lowLatencyMode: true,
  liveSyncDuration: 1.5,
  liveMaxLatencyDuration: 6,
  maxLiveSyncPlaybackRate: 1.25,
  maxBufferLength: 10,
  backBufferLength: 30,
};
