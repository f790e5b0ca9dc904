/** One room in the list: a live room as a card with its poster frame, title and viewers; another as a line. */
import { roomUrl } from '../lib/room.ts';
import { liveFor, type ListedRoom } from './roomListing.ts';
import { RecordingsLine } from './RecordingsLine.tsx';

function watching(count: number): string {
  return `${count} watching`;
}

export function RoomItem({ room, refreshed }: { room: ListedRoom; refreshed: number }) {
  const href = `/watch/${encodeURIComponent(room.name)}`;
  const { live } = room;
  if (!live) {
    return (
      <li class="room room-offline">
        <a class="room-link" href={href}>{room.name}</a>
        <span class="room-info">{` offline · ${watching(room.viewers)}`}</span>
        <RecordingsLine room={room.name} live={false} />
      </li>
    );
  }
  // A new query per refresh fetches the newest poster frame (the room port ignores it).
  const thumbnail = live.thumbnailUrl === null ? null : `${roomUrl(room.port, '/thumbnail.jpg')}?at=${refreshed}`;
  return (
    <li class="room room-live">
      <div class="room-poster">
        {thumbnail === null ? <span class="room-poster-empty">No picture yet</span> : <img class="room-thumbnail" src={thumbnail} alt="" width={320} height={180} />}
        <span class="live-badge">LIVE</span>
      </div>
      <div class="room-text">
        {/* The link covers the whole card (CSS), so the poster opens the room too; its text stays the room name. */}
        <a class="room-link" href={href}>{room.name}</a>
        {live.title !== room.name && <span class="room-title">{live.title}</span>}
        <span class="room-info">{`${watching(live.viewers)} · ${liveFor(live.liveSince, refreshed)}`}</span>
        <RecordingsLine room={room.name} live={true} />
      </div>
    </li>
  );
}
