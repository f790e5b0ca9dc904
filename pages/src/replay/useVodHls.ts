/**
 * hls.js on a `<video>` for a recording (a VOD playlist): a longer buffer than live and no
 * low-latency loading, or Safari's own player. `wallClock()` is the playback position's
 * wall-clock time (ms), from the playlist's EXT-X-PROGRAM-DATE-TIME, for the chat replayed beside it.
 */
import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { loadHls } from '../player/loadHls.ts';
import { wallClockAt } from './wallClock.ts';

/** A recording is watched start to end: a longer buffer than live, and no low-latency loading. */
const VOD_CONFIG = { lowLatencyMode: false, maxBufferLength: 30 };
const RETRY_MS = 1000;

export interface VodPlayerHandle {
  readonly video: HTMLVideoElement | null;
  readonly hls: Hls | null;
  wallClock(): number | null;
}

declare global {
  interface Window {
    /** The replay page's player, for tests. */
    chatserverReplay?: { player: VodPlayerHandle };
  }
}

interface SafariVideo extends HTMLVideoElement {
  getStartDate?: () => Date;
}

export function useVodHls(video: { current: HTMLVideoElement | null }, url: string | null, startedAt: number | null): [VodPlayerHandle, string] {
  const hls = useRef<Hls | null>(null);
  const [problem, setProblem] = useState('');
  const started = useRef(startedAt);
  started.current = startedAt;

  const handle = useRef<VodPlayerHandle>({
    get video() {
      return video.current;
    },
    get hls() {
      return hls.current;
    },
    wallClock() {
      const element = video.current;
      if (!element) return null;
      const player = hls.current;
      const fragments = player?.levels?.[Math.max(0, player.currentLevel)]?.details?.fragments;
      const fromPlaylist = fragments ? wallClockAt(fragments, element.currentTime) : null;
      if (fromPlaylist !== null) return fromPlaylist;
      // Safari's own player knows the date of the playlist's start.
      const start = (element as SafariVideo).getStartDate?.().getTime() ?? Number.NaN;
      const base = Number.isFinite(start) ? start : started.current;
      return base === null ? null : base + element.currentTime * 1000;
    },
  });

  useEffect(() => {
    window.chatserverReplay = { player: handle.current };
  }, []);

  useEffect(() => {
    const element = video.current;
    if (url === null || !element) return undefined;
    let gone = false;
    let retried = false;
    loadHls().then(
      (HlsJs) => {
        if (gone) return;
        if (HlsJs.isSupported()) {
          const player = new HlsJs(VOD_CONFIG);
          hls.current = player;
          player.on(HlsJs.Events.ERROR, (_event, data: ErrorData) => {
            if (!data.fatal) return;
            if (data.type === HlsJs.ErrorTypes.NETWORK_ERROR && !retried) {
              retried = true;
              setTimeout(() => hls.current === player && player.startLoad(), RETRY_MS);
            } else if (data.type === HlsJs.ErrorTypes.MEDIA_ERROR) player.recoverMediaError();
            else setProblem('The recording cannot be played.');
          });
          player.loadSource(url);
          player.attachMedia(element);
        } else if (element.canPlayType('application/vnd.apple.mpegurl')) element.src = url;
        else {
          setProblem('This browser cannot play this recording (HLS).');
          return;
        }
        element.play().catch(() => undefined);
      },
      () => setProblem('The player could not be loaded. Reload the page to try again.'),
    );
    return () => {
      gone = true;
      hls.current?.destroy();
      hls.current = null;
    };
  }, [url]);

  return [handle.current, problem];
}
