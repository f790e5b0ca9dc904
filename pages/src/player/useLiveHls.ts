/**
 * hls.js on a `<video>` for a live room: attached before the stream goes live (opening the
 * MediaSource takes ~100 ms, which would otherwise come after the first segment is listed),
 * loading the playlist when `url` is set and again when `attempt` changes, letting an ended
 * stream's last seconds play out, and reporting a playlist that stopped answering through
 * `onStalled` instead of retrying it every second: the page waits for the room to be live again
 * and then bumps `attempt`. Safari plays HLS natively.
 */
import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { HLS_CONFIG, tuneLatency } from './hlsConfig.ts';
import { loadHls, type HlsClass } from './loadHls.ts';

/** After the stream ends, the player lets go once its buffer would have played out, plus this. */
const PLAY_OUT_MARGIN_MS = 2_000;
/** ... and at the latest after this, however much it holds. */
const PLAY_OUT_MAX_MS = 15_000;
/** How long a player whose buffers could not take the stream first waits before it starts again; the wait doubles per restart. */
const RESTART_MS = 1500;
/**
 * Restarts of one load before the player hands over to the page (`onStalled`), which waits for
 * `/health` with its own growing wait: a stream the buffers never take is not reloaded every 1.5 s forever.
 */
const MAX_RESTARTS = 3;
/** hls.js's recoverMediaError at most once per this long; a second media error sooner hands over to the page. */
const RECOVER_EVERY_MS = 10_000;
const LATENCY_EVERY_MS = 1000;

export interface LivePlayerHandle {
  readonly video: HTMLVideoElement | null;
  readonly hls: Hls | null;
}

declare global {
  interface Window {
    /** The live player, for tests and the latency benchmarks. */
    chatserverPlayer?: LivePlayerHandle;
  }
}

export interface LiveHls {
  /** hls.js's distance from the live edge (s), null when not known. */
  latency: number | null;
  /** Seeks to hls.js's live sync position. */
  goLive(): void;
  /** The browser plays neither through hls.js nor natively. */
  unsupported: boolean;
}

export function useLiveHls(video: { current: HTMLVideoElement | null }, url: string | null, attempt: number, onStalled: () => void): LiveHls {
  const [latency, setLatency] = useState<number | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  const Hls = useRef<HlsClass | null>(null);
  const active = useRef<Hls | null>(null);
  const standby = useRef<Hls | null>(null);
  const stalled = useRef(onStalled);
  stalled.current = onStalled;

  const prepare = () => {
    const HlsJs = Hls.current;
    if (standby.current || !HlsJs || !video.current) return;
    const hls = new HlsJs(HLS_CONFIG);
    tuneLatency(hls, HlsJs);
    hls.attachMedia(video.current);
    standby.current = hls;
  };

  const stop = () => {
    active.current?.destroy();
    active.current = null;
    setLatency(null);
  };

  useEffect(() => {
    const handle: LivePlayerHandle = {
      get video() {
        return video.current;
      },
      get hls() {
        return active.current;
      },
    };
    window.chatserverPlayer = handle;
    let gone = false;
    loadHls().then((HlsJs) => {
      if (gone || !HlsJs.isSupported()) return;
      Hls.current = HlsJs;
      prepare();
    }, () => undefined);
    const timer = setInterval(() => {
      const value = active.current?.latency;
      setLatency(value !== undefined && Number.isFinite(value) && value > 0 ? value : null);
    }, LATENCY_EVERY_MS);
    return () => {
      gone = true;
      clearInterval(timer);
      active.current?.destroy();
      standby.current?.destroy();
    };
  }, []);

  useEffect(() => {
    const element = video.current;
    if (!element) return undefined;
    if (url === null) {
      // Ended: the playlist now ends with ENDLIST; the last seconds play out, then the player lets
      // go. A player that never reaches the end (its last playlist request unanswered, a gap in the
      // buffer: seen on a loaded machine) lets go once what it holds would have played out, so the
      // page shows the stream has ended instead of a frozen frame.
      const ending = active.current;
      const letGo = () => {
        if (active.current !== ending) return;
        stop();
        prepare();
      };
      const { buffered, currentTime } = element;
      const aheadS = buffered.length > 0 ? Math.max(0, buffered.end(buffered.length - 1) - currentTime) : 0;
      const deadline = setTimeout(letGo, Math.min(PLAY_OUT_MAX_MS, aheadS * 1000 + PLAY_OUT_MARGIN_MS));
      element.addEventListener('ended', letGo, { once: true });
      return () => {
        clearTimeout(deadline);
        element.removeEventListener('ended', letGo);
      };
    }
    let restart: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    // Per load (url and attempt): a new attempt from the page starts with a clean slate.
    let restarts = 0;
    let lastRecover = -Infinity;
    const handOver = () => {
      stop();
      prepare();
      stalled.current();
    };
    const start = (HlsJs: HlsClass | null) => {
      if (cancelled) return;
      stop();
      if (HlsJs?.isSupported()) {
        Hls.current = HlsJs;
        prepare();
        const hls = standby.current!;
        standby.current = null;
        active.current = hls;
        hls.on(HlsJs.Events.ERROR, (_event, data: ErrorData) => {
          if (!data.fatal || active.current !== hls) return;
          if (data.details === HlsJs.ErrorDetails.BUFFER_APPEND_ERROR) {
            // A track the first segments lacked (audio that starts a moment after the video, as a
            // WebRTC publisher's can): recovering would make the buffers the same way again.
            if (restarts >= MAX_RESTARTS) return handOver();
            stop();
            prepare();
            restart = setTimeout(() => start(HlsJs), RESTART_MS * 2 ** restarts);
            restarts += 1;
          } else if (data.type === HlsJs.ErrorTypes.MEDIA_ERROR && performance.now() - lastRecover >= RECOVER_EVERY_MS) {
            lastRecover = performance.now();
            hls.recoverMediaError();
          } else {
            handOver();
          }
        });
        hls.loadSource(url);
      } else if (element.canPlayType('application/vnd.apple.mpegurl')) {
        element.src = url;
      } else {
        setUnsupported(true);
        return;
      }
      element.play().catch(() => undefined);
    };
    loadHls().then(start, () => start(null));
    return () => {
      cancelled = true;
      clearTimeout(restart);
    };
  }, [url, attempt]);

  return {
    latency,
    unsupported,
    goLive() {
      const position = active.current?.liveSyncPosition;
      if (video.current && position !== null && position !== undefined) video.current.currentTime = position;
    },
  };
}
