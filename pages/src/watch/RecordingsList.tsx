/** The room's recordings under the player, newest first, each linking to its replay page; read again when the room goes live or ends. */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration, formatStart, loadRecordings, replayHref, type Recording } from '../lib/recordings.ts';

/** A broadcast's recording is listed within a second of its end. */
const RECORDING_LISTED_MS = 1500;

export function useRecordings(room: string, changedAt: number): Recording[] | null | Error {
  const [recordings, setRecordings] = useState<Recording[] | null | Error>(null);
  useEffect(() => {
    const timer = setTimeout(() => loadRecordings(room).then(setRecordings, (error: Error) => setRecordings(error)), changedAt === 0 ? 0 : RECORDING_LISTED_MS);
    return () => clearTimeout(timer);
  }, [room, changedAt]);
  return recordings;
}

export function RecordingLink({ room, recording, token }: { room: string; recording: Recording; token: string | undefined }) {
  return (
    <>
      <a class="recording-link" href={replayHref(room, recording.id, token)}>
        {formatStart(recording.startedAt)}
      </a>
      <span class="recording-info">{recording.endedAt === null ? ' · recording now' : ` · ${formatDuration(recording.duration)}`}</span>
    </>
  );
}

export function RecordingsList({ room, recordings, token }: { room: string; recordings: Recording[] | null | Error; token: string | undefined }) {
  return (
    <section class="recordings" aria-labelledby="recordings-heading">
      <h2 id="recordings-heading">Recordings</h2>
      <ul id="recordings">
        {recordings instanceof Error && <li class="recording-none">{`The recordings could not be loaded: ${recordings.message}`}</li>}
        {Array.isArray(recordings) && recordings.length === 0 && <li class="recording-none">No recordings yet.</li>}
        {Array.isArray(recordings) &&
          recordings.map((recording) => (
            <li key={recording.id} class="recording">
              <RecordingLink room={room} recording={recording} token={token} />
            </li>
          ))}
      </ul>
    </section>
  );
}
