/**
 * `/`: the rooms of this server, live ones first with their poster frame, title and viewers, then
 * the others; each links to its viewer page and shows its recordings. Read again every 10 s (a
 * room's recordings only when its live state changed). Below, the operator's panel: with the
 * API key, create a room and get its links and tokens.
 */
import { useEffect, useState } from 'preact/hooks';
import { usePolling } from '../lib/usePolling.ts';
import { loadRoomListing, type ListedRoom } from './roomListing.ts';
import { RoomItem } from './RoomItem.tsx';
import { OperatorPanel } from './OperatorPanel.tsx';
import './rooms.css';

const REFRESH_MS = 10_000;

export function RoomsPage() {
  const [rooms, setRooms] = useState<ListedRoom[] | null>(null);
  const [refreshed, setRefreshed] = useState(() => Date.now());
  const [problem, setProblem] = useState('');
  const refresh = async () => {
    try {
      setRooms(await loadRoomListing());
      setRefreshed(Date.now());
      setProblem('');
    } catch (error) {
      // The first load's failure is shown; a later one keeps the list it had.
      if (rooms === null) setProblem(`Could not load the rooms: ${(error as Error).message}`);
    }
  };
  usePolling(refresh, REFRESH_MS);
  useEffect(() => void refresh(), []);
  const liveCount = rooms?.filter((room) => room.live).length ?? 0;
  return (
    <>
      <p id="problem" role="alert">{problem}</p>
      <section class="rooms" aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">{rooms === null ? 'Rooms' : `Rooms · ${liveCount} live`}</h2>
        <ul id="rooms" class="room-list">
          {rooms?.length === 0 && <li class="room-none">No rooms yet.</li>}
          {rooms?.map((room) => <RoomItem key={room.name} room={room} refreshed={refreshed} />)}
        </ul>
      </section>
      <OperatorPanel onCreated={() => void refresh()} />
    </>
  );
}
