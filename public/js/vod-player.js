// The player of a recording (a VOD playlist): hls.js without the live tuning, or Safari's own
// player. It says which wall-clock time the playback position shows, from the playlist's
// EXT-X-PROGRAM-DATE-TIME, for the chat replayed beside it.
import Hls from '/assets/vendor/hls.min.mjs';
import { playerFrame } from './dom.js';

/** A recording is watched start to end: a longer buffer than live, and no low-latency loading. */
const VOD_CONFIG = { lowLatencyMode: false, maxBufferLength: 30 };

/**
 * The wall-clock time (ms) of media time `t`: the program date-time of the segment that holds
 * it plus how far into the segment `t` is. hls.js gives every segment a date from the nearest
 * EXT-X-PROGRAM-DATE-TIME before it (the first segment's, and each one after a discontinuity).
 */
function wallClockAt(fragments, t) {
  let found = null;
  for (const fragment of fragments) {
    if (fragment.start > t) break;
    found = fragment;
  }
  found ??= fragments[0];
  if (!found || !Number.isFinite(found.programDateTime)) return null;
  return found.programDateTime + (t - found.start) * 1000;
}

/**
 * Mounts a player into `root`. Returns { play(url), wallClock(), video, hls }: `wallClock()` is
 * the playback position's wall-clock time (ms), or null before the playlist is read.
 */
export function mountVodPlayer(root, { startedAt }) {
  const { video, status } = playerFrame(root, 'Loading the recording');
  let hls = null;

  function play(url) {
    if (Hls.isSupported()) {
      hls = new Hls(VOD_CONFIG);
      hls.on(Hls.Events.ERROR, (_event, data) => onError(data));
      hls.on(Hls.Events.MANIFEST_PARSED, () => (status.textContent = 'Recording'));
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else {
      status.textContent = 'This browser cannot play HLS video.';
      return;
    }
    video.play().catch(() => (status.textContent = 'Press play to watch the recording'));
  }

  let retried = false;
  function onError(data) {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !retried) {
      retried = true;
      status.textContent = 'The recording did not load; retrying';
      setTimeout(() => hls?.startLoad(), 1000);
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      status.textContent = `The recording cannot be played: ${data.details}`;
    }
  }

  video.addEventListener('ended', () => (status.textContent = 'The end of the recording'));
  video.addEventListener('playing', () => (status.textContent = 'Recording'));

  function wallClock() {
    const fragments = hls?.levels?.[Math.max(0, hls.currentLevel)]?.details?.fragments;
    const fromPlaylist = fragments ? wallClockAt(fragments, video.currentTime) : null;
    if (fromPlaylist !== null) return fromPlaylist;
    // Safari's own player knows the date of the playlist's start.
    const start = typeof video.getStartDate === 'function' ? video.getStartDate().getTime() : Number.NaN;
    return (Number.isFinite(start) ? start : startedAt) + video.currentTime * 1000;
  }

  return { play, wallClock, video, get hls() { return hls; } };
}
