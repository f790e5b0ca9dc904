/**
 * `/watch/:room`: the live player next to the chat (on phones the video on top and the chat
 * filling the rest of the screen), the room's recordings below. The header has the LIVE badge
 * and the viewer count; the player's bar the latency and the theatre and fullscreen modes.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatPanel } from '../chat/ChatPanel.tsx';
import { LivePlayer } from '../player/LivePlayer.tsx';
import { loadRoom, roomUrl, type RoomInfo } from '../lib/room.ts';
import { RecordingsList, useRecordings } from './RecordingsList.tsx';
import { StreamOverlay } from './StreamOverlay.tsx';
import { useRoomStream } from './useRoomStream.ts';
import './WatchPage.css';

function useFullscreen(target: { current: HTMLElement | null }): [boolean, () => void] {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const onChange = () => setOn(document.fullscreenElement === target.current && target.current !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void target.current?.requestFullscreen().catch(() => undefined);
  };
  return [on, toggle];
}

export function WatchPage({ room, token }: { room: string; token: string | undefined }) {
  const [info, setInfo] = useState<RoomInfo | null>(null);
  const [problem, setProblem] = useState('');
  const [theatre, setTheatre] = useState(false);
  const playerBox = useRef<HTMLElement>(null);
  const [fullscreen, toggleFullscreen] = useFullscreen(playerBox);
  const [stream, control] = useRoomStream(info?.port ?? null, info?.live ?? null);
  const recordings = useRecordings(room, stream.changedAt);

  useEffect(() => {
    document.title = `${room} — chatserver`;
    loadRoom(room).then(setInfo, (error: Error) => setProblem(`Could not load the room: ${error.message}`));
  }, [room]);

  const live = stream.phase === 'live';
  const playing = live || stream.phase === 'waiting';
  const url = info && stream.path !== null && playing ? roomUrl(info.port, stream.path) : null;
  const poster = info && live ? roomUrl(info.port, '/thumbnail.jpg') : null;
  const viewers = stream.viewers ?? info?.viewers ?? null;

  return (
    <div class={theatre ? 'watch-page theatre' : 'watch-page'}>
      <header class="watch-header">
        <a href="/">Rooms</a>
        <span aria-hidden="true">/</span>
        <h1 id="room-name">{room}</h1>
        {live ? (
          <span class="live-badge" data-state="live">
            LIVE
          </span>
        ) : (
          <span class="live-badge" data-state={stream.phase}>
            {stream.phase === 'waiting' ? 'Reconnecting' : stream.phase === 'loading' ? '' : 'Offline'}
          </span>
        )}
        {viewers !== null && <span class="viewer-count">{`${viewers} watching`}</span>}
      </header>
      <p id="problem" role="alert">
        {problem}
      </p>
      <main class="watch">
        <section id="player" ref={playerBox} aria-label="Video">
          <LivePlayer
            url={url}
            attempt={stream.attempt}
            poster={poster}
            overlay={live ? null : problem ? <p class="stream-state">{problem}</p> : <StreamOverlay phase={stream.phase} room={room} recordings={recordings} token={token} />}
            onStalled={control.stalled}
          >
            <button type="button" class="mode-theatre" aria-pressed={theatre} onClick={() => setTheatre(!theatre)}>
              Theatre mode
            </button>
            <button type="button" class="mode-fullscreen" aria-pressed={fullscreen} onClick={toggleFullscreen}>
              {fullscreen ? 'Exit full screen' : 'Full screen'}
            </button>
          </LivePlayer>
        </section>
        <aside id="chat" aria-label="Chat">
          <ChatPanel url={info ? roomUrl(info.port, '/chat', 'ws') : null} token={token} onStream={control.follow} />
        </aside>
      </main>
      <RecordingsList room={room} recordings={recordings} token={token} />
    </div>
  );
}
