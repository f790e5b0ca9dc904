/** " · 3 recordings, latest: <link>" after a room's name, read again when the room goes live or ends. */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration, formatStart, loadRecordings, replayHref, type Recording } from '../lib/recordings.ts';

export function RecordingsLine({ room, live }: { room: string; live: boolean }) {
  const [recordings, setRecordings] = useState<Recording[] | null>(null);
  useEffect(() => {
    loadRecordings(room).then(setRecordings, () => setRecordings(null));
  }, [room, live]);
  if (recordings === null) return null;
  if (recordings.length === 0) return <span class="room-recordings"> · no recordings</span>;
  const latest = recordings[0]!;
  return (
    <span class="room-recordings">
      {` · ${recordings.length} recording${recordings.length === 1 ? '' : 's'}, latest: `}
      <a class="recording-link" href={replayHref(room, latest.id)}>
        {formatStart(latest.startedAt)}
      </a>
      <span class="recording-info">{latest.endedAt === null ? ' · recording now' : ` · ${formatDuration(latest.duration)}`}</span>
    </span>
  );
}
