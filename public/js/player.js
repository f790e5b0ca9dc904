// The live player: hls.js (served from the installed package) tuned for low latency, with a
// "behind live" indicator and a button back to the live edge. Safari plays HLS natively.
import Hls from '/assets/vendor/hls.min.mjs';
import { el, playerFrame } from './dom.js';
import { HLS_CONFIG, tuneLatency } from './hlsConfig.js';

const FAR_BEHIND_S = 4;
/** How long a player whose buffers could not take the stream waits before it starts again. */
const RESTART_MS = 1500;

/**
 * Mounts a player into `root`. Returns { play(url), ended() }: the page calls play when the
 * stream goes live and ended when it stops.
 */
export function mountPlayer(root) {
  const { video, status, bar } = playerFrame(root, 'The stream appears here when the room is live.');
  const behind = el('span', 'player-behind');
  const goLive = el('button', 'player-go-live', 'Go live');
  goLive.type = 'button';
  goLive.hidden = true;
  bar.append(behind, goLive);
  video.hidden = true;

  let hls = null;
  let currentUrl = null;
  /**
   * A player attached to the video before the stream goes live: opening the MediaSource takes
   * about 100 ms, which would otherwise come after the stream's first segment is listed.
   */
  let standby = null;

  function prepare() {
    if (standby || !Hls.isSupported()) return;
    standby = new Hls(HLS_CONFIG);
    tuneLatency(standby, Hls);
    standby.attachMedia(video);
  }

  function stop() {
    hls?.destroy();
    hls = null;
    currentUrl = null;
    behind.textContent = '';
    goLive.hidden = true;
    // Ready for the next stream (the ended one's player is gone now).
    prepare();
  }

  prepare();

  function play(url) {
    if (url === currentUrl) return;
    stop();
    currentUrl = url;
    video.hidden = false;
    status.textContent = 'Live';
    if (Hls.isSupported()) {
      prepare();
      hls = standby;
      standby = null;
      hls.on(Hls.Events.ERROR, (_event, data) => onError(data));
      hls.loadSource(url);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else {
      status.textContent = 'This browser cannot play HLS video.';
      return;
    }
    video.play().catch(() => (status.textContent = 'Live: press play to watch'));
  }

  function onError(data) {
    if (!data.fatal || !hls) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      status.textContent = 'Connection to the stream lost; retrying';
      setTimeout(() => hls?.startLoad(), 1000);
    } else if (data.details === Hls.ErrorDetails.BUFFER_APPEND_ERROR) {
      // A track the first segments lacked (audio that starts a moment after the video, as a
      // WebRTC publisher's can): the player's buffers were made without it, and recovering
      // would make them the same way again. Start afresh a moment later, further in.
      const url = currentUrl;
      stop();
      status.textContent = 'Live: loading';
      setTimeout(() => currentUrl === null && url !== null && play(url), RESTART_MS);
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      status.textContent = `The stream cannot be played: ${data.details}`;
      stop();
    }
  }

  function ended() {
    status.textContent = 'The stream has ended.';
    goLive.hidden = true;
    behind.textContent = '';
    // The playlist now ends with #EXT-X-ENDLIST: let the last seconds play out, then let go,
    // unless a new stream has started meanwhile.
    const endedHls = hls;
    currentUrl = null;
    video.addEventListener('ended', () => hls === endedHls && stop(), { once: true });
  }

  goLive.addEventListener('click', () => {
    if (hls?.liveSyncPosition) video.currentTime = hls.liveSyncPosition;
  });

  setInterval(() => {
    const latency = hls?.latency;
    if (!hls || !Number.isFinite(latency) || latency <= 0) return;
    behind.textContent = `${latency.toFixed(1)} s behind live`;
    goLive.hidden = latency < FAR_BEHIND_S;
  }, 500);

  return { play, ended, video, get hls() { return hls; } };
}
