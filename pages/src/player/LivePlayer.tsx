/**
 * The live video: a muted, inline `<video>` (browsers autoplay only muted video) with a clear
 * "Click to unmute" button over it while it plays muted, the room's poster frame while it loads,
 * an overlay for the offline, waiting and ended states, and a bar below with the latency
 * readout, "Go live" when far behind, and whatever the page adds (LIVE badge, viewers, modes).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLiveHls } from './useLiveHls.ts';
import './Player.css';

/** Further behind the live edge than this, the player offers to jump back. */
const FAR_BEHIND_S = 4;

export interface LivePlayerProps {
  /** The playlist while the room is live, null otherwise. */
  url: string | null;
  /** Bumped to load the playlist again (the stream came back after a stall). */
  attempt: number;
  /** A poster frame while the stream loads (the room's /thumbnail.jpg), or null. */
  poster: string | null;
  /** Shown over the video when it does not play (offline, waiting, ended); null while it plays. */
  overlay: ComponentChildren | null;
  onStalled: () => void;
  /** Items for the bar (badges, counts, mode buttons). */
  children?: ComponentChildren;
}

export function LivePlayer({ url, attempt, poster, overlay, onStalled, children }: LivePlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const hls = useLiveHls(video, url, attempt, onStalled);
  const [muted, setMuted] = useState(true);
  const [playing, setPlaying] = useState(false);

  useEffect(() => {
    const element = video.current;
    if (!element) return undefined;
    const onVolume = () => setMuted(element.muted || element.volume === 0);
    const onPlaying = () => setPlaying(true);
    const onStopped = () => setPlaying(false);
    element.addEventListener('volumechange', onVolume);
    element.addEventListener('playing', onPlaying);
    element.addEventListener('pause', onStopped);
    element.addEventListener('ended', onStopped);
    element.addEventListener('emptied', onStopped);
    return () => {
      element.removeEventListener('volumechange', onVolume);
      element.removeEventListener('playing', onPlaying);
      element.removeEventListener('pause', onStopped);
      element.removeEventListener('ended', onStopped);
      element.removeEventListener('emptied', onStopped);
    };
  }, []);

  const unmute = () => {
    const element = video.current;
    if (!element) return;
    element.muted = false;
    if (element.volume === 0) element.volume = 1;
    element.play().catch(() => undefined);
  };

  const latency = hls.latency;
  return (
    <div class="player">
      <div class="player-stage">
        <video ref={video} class="player-video" controls muted playsInline poster={poster ?? undefined} aria-label="Live video" hidden={overlay !== null && !playing} />
        {overlay !== null && !playing && <div class="player-overlay">{overlay}</div>}
        {hls.unsupported && <div class="player-overlay">This browser cannot play this stream (HLS).</div>}
        {playing && muted && (
          <button type="button" class="player-unmute" onClick={unmute}>
            <span aria-hidden="true">🔇 </span>Click to unmute
          </button>
        )}
      </div>
      <div class="player-bar">
        {children}
        <span class="player-latency" role="status">
          {url !== null && latency !== null ? `${latency.toFixed(1)} s behind live` : ''}
        </span>
        {url !== null && latency !== null && latency >= FAR_BEHIND_S && (
          <button type="button" class="player-go-live" onClick={hls.goLive}>
            Go live
          </button>
        )}
      </div>
    </div>
  );
}
