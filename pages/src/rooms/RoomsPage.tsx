/**
 * `/`: the rooms of this server, each linking to its viewer page, with whether it is live, how
 * many watch, and its recordings (how many, and a link to the latest replay). Read again every
 * 10 s; a room's recordings only when its live state changed (a broadcast began or ended).
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../lib/api.ts';
import { usePolling } from '../lib/usePolling.ts';
import { RecordingsLine } from './RecordingsLine.tsx';

export interface RoomSummary {
  name: string;
  live: boolean;
  clients: number;
  viewers?: number;
}

const REFRESH_MS = 10_000;

export function RoomsPage() {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [problem, setProblem] = useState('');
  const refresh = async () => {
    try {
      setRooms(await getJson<RoomSummary[]>('/api/v1/rooms', 'The rooms'));
      setProblem('');
    } catch (error) {
      // The first load's failure is shown; a later one keeps the list it had.
      if (rooms === null) setProblem(`Could not load the rooms: ${(error as Error).message}`);
    }
  };
  usePolling(refresh, REFRESH_MS);
  useEffect(() => void refresh(), []);
  return (
    <>
      <p id="problem" role="alert">{problem}</p>
      <ul id="rooms" class="rooms">
        {rooms?.length === 0 && <li>No rooms yet.</li>}
        {rooms?.map((room) => (
          <li key={room.name}>
            <a href={`/watch/${encodeURIComponent(room.name)}`}>{room.name}</a>
            <span class="room-info">{` ${room.live ? 'LIVE' : 'offline'} · ${room.viewers ?? room.clients} watching`}</span>
            <RecordingsLine room={room.name} live={room.live} />
          </li>
        ))}
      </ul>
    </>
  );
}
