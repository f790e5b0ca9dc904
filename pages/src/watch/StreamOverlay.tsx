/** What the player shows when there is no video: loading, offline (with the latest broadcast), waiting for the stream to come back, ended (with its recording). */
import type { Recording } from '../lib/recordings.ts';
import { RecordingLink } from './RecordingsList.tsx';
import type { Phase } from './useRoomStream.ts';

export function StreamOverlay({ phase, room, recordings, token }: { phase: Phase; room: string; recordings: Recording[] | null | Error; token: string | undefined }) {
  const latest = Array.isArray(recordings) ? recordings.find((recording) => recording.endedAt !== null) : undefined;
  const recordingLine = latest && (
    <p>
      {phase === 'ended' ? 'Watch the recording: ' : 'Latest broadcast: '}
      <RecordingLink room={room} recording={latest} token={token} />
    </p>
  );
  switch (phase) {
    case 'loading':
      return <p class="stream-state" data-state="loading">Loading…</p>;
    case 'waiting':
      return (
        <div class="stream-state" data-state="waiting">
          <h2>Reconnecting…</h2>
          <p>The stream paused. It carries on here by itself when it is back.</p>
        </div>
      );
    case 'ended':
      return (
        <div class="stream-state" data-state="ended">
          <h2>The stream has ended</h2>
          <p>Thanks for watching. A new broadcast starts here by itself.</p>
          {recordingLine}
        </div>
      );
    default:
      return (
        <div class="stream-state" data-state="offline">
          <span class="offline-badge">Offline</span>
          <h2>{room} is offline</h2>
          <p>The stream starts here as soon as the broadcaster goes live. No need to reload.</p>
          {recordingLine}
        </div>
      );
  }
}
