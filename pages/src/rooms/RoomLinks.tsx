/** What an operator hands out for a room: the viewer link, the broadcaster's and the moderator's links, and the tokens themselves. */
import type { JoinToken } from './operatorApi.ts';
import { CopyField } from './CopyField.tsx';

export interface IssuedRoom {
  name: string;
  message: string;
  producer: JoinToken;
  moderator: JoinToken;
}

export function RoomLinks({ room }: { room: IssuedRoom }) {
  const path = encodeURIComponent(room.name);
  const origin = location.origin;
  const expires = new Date(room.producer.expiresAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section id="room-links" class="room-links" aria-labelledby="room-links-heading">
      <h3 id="room-links-heading" tabIndex={-1}>{`${room.message}: ${room.name}`}</h3>
      <p class="operator-note">{`The tokens work until ${expires}. Whoever holds one acts in the room with its role: share each with its person only.`}</p>
      <CopyField id="link-watch" label="Watch link (for viewers)" value={`${origin}/watch/${path}`} link />
      <CopyField id="link-broadcast" label="Broadcast link (with the producer token)" value={`${origin}/broadcast/${path}?token=${encodeURIComponent(room.producer.token)}`} link />
      <CopyField id="link-moderate" label="Moderator link (watch page with the moderator token)" value={`${origin}/watch/${path}?token=${encodeURIComponent(room.moderator.token)}`} link />
      <CopyField id="token-producer" label="Producer token" value={room.producer.token} />
      <CopyField id="token-moderator" label="Moderator token" value={room.moderator.token} />
    </section>
  );
}
