/** `/replay/:room/:id`: a recording with its chat replayed beside it, in step with playback. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { loadRoom, roomUrl } from '../lib/room.ts';
import { formatDuration, formatStart, type Recording } from '../lib/recordings.ts';
import '../player/Player.css';
import '../watch/WatchPage.css';
import { loadRecording, loadReplayMessages, type ReplayMessage } from './replayApi.ts';
import { ReplayChat } from './ReplayChat.tsx';
import { useVodHls } from './useVodHls.ts';
import { countUpTo } from './wallClock.ts';

/** The chat moves along at least this often while the video plays (timeupdate alone comes every 250 ms or so). */
const TICK_MS = 100;
const FOLLOWED = ['timeupdate', 'seeking', 'seeked', 'loadeddata', 'ended'] as const;

export function ReplayPage({ room, id, token }: { room: string; id: string; token: string | undefined }) {
  const [port, setPort] = useState<number | null>(null);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [messages, setMessages] = useState<ReplayMessage[] | null>(null);
  const [problem, setProblem] = useState('');
  const [chatProblem, setChatProblem] = useState('');
  const [shown, setShown] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const url = port === null || recording === null ? null : roomUrl(port, `/recordings/${encodeURIComponent(id)}/index.m3u8`);
  const [player, playerProblem] = useVodHls(video, url, recording?.startedAt ?? null);

  useEffect(() => {
    Promise.all([loadRoom(room), loadRecording(room, id, token)]).then(
      ([info, found]) => {
        setPort(info.port);
        setRecording(found);
      },
      (error: Error) => setProblem(`Could not load the recording: ${error.message}`),
    );
    loadReplayMessages(room, id, token).then(setMessages, (error: Error) => setChatProblem(`The chat of this recording could not be loaded: ${error.message}`));
  }, [room, id, token]);

  const title = recording
    ? `Recording of ${formatStart(recording.startedAt)}${recording.endedAt === null ? ' (still recording)' : `, ${formatDuration(recording.duration)}`}`
    : 'Recording';
  useEffect(() => {
    document.title = `${room}: ${title} — chatserver`;
  }, [title]);

  useEffect(() => {
    const element = video.current;
    if (!element || messages === null) return undefined;
    const follow = () => {
      const at = player.wallClock();
      if (at !== null) setShown(countUpTo(messages, at));
    };
    for (const event of FOLLOWED) element.addEventListener(event, follow);
    const timer = setInterval(() => !element.paused && follow(), TICK_MS);
    follow();
    return () => {
      for (const event of FOLLOWED) element.removeEventListener(event, follow);
      clearInterval(timer);
    };
  }, [messages]);

  return (
    <div class="watch-page">
      <header class="watch-header">
        <a href="/">Rooms</a>
        <span aria-hidden="true">/</span>
        <a id="room-link" href={`/watch/${encodeURIComponent(room)}${token ? `?token=${encodeURIComponent(token)}` : ''}`}>
          {room}
        </a>
        <span aria-hidden="true">/</span>
        <h1 id="recording-title">{title}</h1>
      </header>
      <p id="problem" role="alert">
        {problem || playerProblem}
      </p>
      <main class="watch">
        <section id="player" aria-label="Recorded video">
          <div class="player">
            <div class="player-stage">
              <video ref={video} class="player-video" controls muted playsInline aria-label="Recorded video" />
            </div>
          </div>
        </section>
        <aside id="chat" aria-label="Chat of the recording">
          <ReplayChat messages={messages} shown={shown} problem={chatProblem} />
        </aside>
      </main>
    </div>
  );
}
