/**
 * `/broadcast/:room?token=<producer token>`: the broadcaster's studio. Before going live: the
 * source choice, a preview and the microphone level. While live: the state (with "Reconnecting…"
 * when the connection is lost and being restored by itself), elapsed time, bitrate, dropped
 * frames, viewers and the server's warnings. And where OBS or ffmpeg publish instead.
 * `&via=whip` or `&via=websocket` forces one ingest path (no fallback).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Broadcast, IDLE, type BroadcastState, type IngestPath, type Phase, type Via } from './Broadcast.ts';
import { DevicePicker } from './DevicePicker.tsx';
import { LevelMeter } from './LevelMeter.tsx';
import { LiveStatus } from './LiveStatus.tsx';
import { screenSupported } from './media.ts';
import { PublishInfo } from './PublishInfo.tsx';
import { loadStudioRoom, type StudioRoom } from './studioApi.ts';
import { useLiveFigures } from './useLiveFigures.ts';
import { usePreview } from './usePreview.ts';
import './studio.css';

const VIAS = ['whip', 'websocket'];

const PHASE_TEXT: Record<Phase, string> = {
  idle: 'Not streaming',
  connecting: 'Connecting…',
  starting: 'Starting…',
  live: 'LIVE',
  reconnecting: 'Reconnecting…',
  stopping: 'Stopping…',
  ended: 'Stream ended',
  error: 'Not streaming',
};

const PATH_TEXT: Record<IngestPath, string> = { whip: 'via WebRTC (WHIP)', websocket: 'via WebSocket (MediaRecorder)', '': '' };

/** What is wrong with the page's address, if anything: then it cannot stream at all. */
function addressProblem(token: string | null, via: string | null): string {
  if (!token) return 'This page needs a producer token: /broadcast/<room>?token=<producer token>';
  if (via !== null && !VIAS.includes(via)) return `via must be ${VIAS.join(' or ')} (or left out to let the page choose), not "${via}"`;
  return '';
}

const ON_AIR: readonly Phase[] = ['connecting', 'starting', 'live', 'reconnecting'];

export function StudioPage({ room }: { room: string }) {
  const query = new URLSearchParams(location.search);
  const token = query.get('token');
  const via = query.get('via');
  const [info, setInfo] = useState<StudioRoom | null>(null);
  const [problem, setProblem] = useState(addressProblem(token, via));
  const addressOk = addressProblem(token, via) === '';
  const preview = usePreview(addressOk);
  const [state, setState] = useState<BroadcastState>(IDLE);
  const broadcast = useMemo(() => (token ? new Broadcast({ room, token, via: via as Via, onChange: setState }) : null), [room, token, via]);
  const onAir = ON_AIR.includes(state.phase);
  const figures = useLiveFigures(broadcast, info?.port ?? 0, token ?? '', onAir && info !== null, state.phase === 'starting');
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (!addressOk) return;
    loadStudioRoom(room)
      .then(setInfo)
      .catch((error: Error) => setProblem(`Could not load the room: ${error.message}`));
  }, [room]);
  useEffect(() => {
    if (video.current) video.current.srcObject = preview.stream;
    if (preview.stream && onAir) void broadcast?.switchTo(preview.stream);
  }, [preview.stream]);

  const goLive = () => {
    if (!broadcast || !preview.stream) return setProblem(preview.problem || 'Choose a camera or screen first');
    setProblem('');
    void broadcast.start(preview.stream);
  };
  // Until the camera opens (or fails, which the button then explains).
  const mediaPending = preview.stream === null && preview.problem === '';
  const shownProblem = problem || (state.phase === 'error' ? state.message : '') || preview.problem;

  return (
    <>
      <p id="problem" role="alert">
        {shownProblem}
      </p>
      <section id="studio" class="studio" aria-label="Your broadcast">
        <video ref={video} id="preview" class="studio-preview" muted playsinline autoplay aria-label="Preview of what viewers will see" />
        <div class="studio-bar">
          <span id="state" class="studio-state" role="status" data-state={state.phase}>
            {PHASE_TEXT[state.phase]}
          </span>
          <span id="path" class="studio-path" data-path={state.path}>
            {PATH_TEXT[state.path]}
          </span>
          {onAir ? (
            <button id="stop" type="button" class="studio-stop" onClick={() => void broadcast?.stop()}>
              Stop
            </button>
          ) : (
            <button id="start" type="button" class="studio-start" disabled={!addressOk || info === null || mediaPending || state.phase === 'stopping'} onClick={goLive}>
              Go live
            </button>
          )}
        </div>
        {state.phase === 'reconnecting' && (
          <p id="reconnecting" class="studio-reconnecting">
            {state.message}
          </p>
        )}
        {state.phase !== 'reconnecting' && state.phase !== 'error' && state.message && <p class="studio-note">{state.message}</p>}
        <div class="studio-controls">
          <DevicePicker choice={preview.choice} devices={preview.devices} screenAvailable={screenSupported()} disabled={onAir && !broadcast?.canSwitchSource} live={onAir} onChange={preview.choose} />
          <LevelMeter stream={preview.stream} />
        </div>
        {onAir && <LiveStatus state={state} figures={figures} />}
        {info && token && <PublishInfo publish={info.publish} token={token} />}
      </section>
    </>
  );
}
