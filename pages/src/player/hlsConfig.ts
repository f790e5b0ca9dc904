/**
 * hls.js settings for the live player, shared by the watch page and the latency benchmarks
 * (bench/latency.ts and bench/lib/nodeMediaServerPeer.ts turn this file into plain JS for their
 * own pages): no imports but types, so it stands alone.
 */
import type Hls from 'hls.js';
import type { HlsConfig } from 'hls.js';

/**
 * Low-Latency HLS: hls.js plays the playlist's PART-HOLD-BACK behind the live edge, loads parts
 * with blocking reloads and speeds up a little to catch up after a stall. No liveSyncDuration
 * here: it would override PART-HOLD-BACK (and hls.js takes no liveMaxLatencyDuration without
 * it); the player's "Go live" button jumps back from far behind.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: true,
  maxLiveSyncPlaybackRate: 1.25,
  maxBufferLength: 10,
  backBufferLength: 30,
};

/** Classic HLS (no parts, 1-2 s segments): hls.js's default of 3 segments behind is more than needed. */
const CLASSIC_TARGET_LATENCY_S = 1.5;

interface PlaylistDetails {
  partList: unknown[] | null;
}

/**
 * Gives a classic playlist (one without parts) the classic target latency; a Low-Latency HLS
 * playlist keeps the server's PART-HOLD-BACK. Decided on the first playlist read, before hls.js
 * picks where to start (it does so when the level loads, after this): a media playlist comes
 * with the manifest; behind a master playlist, the first level's load decides. Call once per
 * player; `HlsClass` is the hls.js class (its Events), passed in so this file imports no code.
 */
export function tuneLatency(hls: Hls, HlsClass: typeof Hls): void {
  let decided = false;
  const decide = (details: PlaylistDetails | undefined) => {
    if (decided || !details) return;
    decided = true;
    if (!details.partList || details.partList.length === 0) hls.targetLatency = CLASSIC_TARGET_LATENCY_S;
  };
  hls.once(HlsClass.Events.MANIFEST_LOADED, (_event, data) => decide(data.levels.length === 1 ? data.levels[0]?.details : undefined));
  hls.once(HlsClass.Events.LEVEL_LOADED, (_event, data) => decide(data.details));
}
