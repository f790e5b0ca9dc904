// hls.js settings for the live player, shared by the watch page and the latency benchmark.
/**
 * Low-Latency HLS: hls.js plays the playlist's PART-HOLD-BACK behind the live edge (set no
 * liveSyncDuration here: it would override that), loads parts with blocking reloads, speeds up
 * a little to catch up after a stall, and jumps back when more than 6 s behind.
 */
export const HLS_CONFIG = {
  lowLatencyMode: true,
  liveMaxLatencyDuration: 6,
  maxLiveSyncPlaybackRate: 1.25,
  maxBufferLength: 10,
  backBufferLength: 30,
};

/** Classic HLS (no parts, 1-2 s segments): hls.js's default of 3 segments behind is more than needed. */
export const CLASSIC_TARGET_LATENCY_S = 1.5;

/**
 * Gives a classic playlist (one without parts) the classic target latency; a Low-Latency HLS
 * playlist keeps the server's PART-HOLD-BACK. Call once per player.
 */
export function tuneLatency(hls, Hls) {
  hls.once(Hls.Events.LEVEL_LOADED, (_event, data) => {
    const parts = data.details.partList;
    if (!parts || parts.length === 0) hls.targetLatency = CLASSIC_TARGET_LATENCY_S;
  });
}
