/** One room: where it runs, its figures and stream, and what an operator does to it. */
import { useState } from 'preact/hooks';
import { roomPath, type AdminApi } from './adminApi.ts';
import type { AdminRoom } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { PublishCell } from './PublishCell.tsx';

/** The ingest (protocol, and what its producer should fix) is the operator's first question about a live room. */
function liveText(room: AdminRoom): string {
  if (!room.live) return '';
  const ingest = room.ingest;
  if (!ingest) return 'LIVE';
  const warnings = ingest.warnings.map((warning) => warning.message).join(' ');
  return `LIVE ${ingest.protocol}${ingest.held ? ' (reconnecting)' : ''}${warnings ? ` ⚠ ${warnings}` : ''}`;
}

interface Props {
  api: AdminApi;
  run: Run;
  room: AdminRoom;
  refresh: () => Promise<void>;
  usersOpen: boolean;
  onToggleUsers: () => void;
}

export function RoomRow({ api, run, room, refresh, usersOpen, onToggleUsers }: Props) {
  // Kept across refreshes (the row is keyed by the room), so typing is never lost.
  const [message, setMessage] = useState('');
  const [stopReason, setStopReason] = useState('');
  const name = room.name;
  const send = (event: Event) => {
    event.preventDefault();
    if (message === '') return;
    void run(() => api.call<{ delivered: number }>('POST', '/api/v1/messages', { room: name, text: message }), (r) => `Message delivered to ${r.delivered} in ${name}`, () => setMessage(''));
  };
  return (
    <tr data-room={name}>
      <th scope="row" class="cell-name">{name}</th>
      <td class="cell-port">{room.port}</td>
      <td class="cell-worker">{`#${room.worker}`}</td>
      <td class="cell-clients">{room.clients}</td>
      <td class="cell-viewers">{room.viewers}</td>
      <td class="cell-messages">{room.messages}</td>
      <td class="cell-live">{liveText(room)}</td>
      <td class="cell-status">{room.error ? `${room.status}: ${room.error}` : room.status}</td>
      <PublishCell publish={room.publish} />
      <td class="admin-actions">
        <form class="admin-inline" onSubmit={send}>
          <input class="room-message" aria-label={`Message to ${name}`} placeholder="System message" maxLength={2000} value={message} onInput={(event) => setMessage(event.currentTarget.value)} />
          <button type="submit" class="room-send">Send<span class="visually-hidden">{` to ${name}`}</span></button>
        </form>
        <button type="button" class="room-users" aria-expanded={usersOpen} onClick={onToggleUsers}>
          Users<span class="visually-hidden">{` of ${name}`}</span>
        </button>
        <ConfirmButton
          class="room-stop"
          label="Stop stream"
          disabled={!room.live}
          question={`Stop the stream in ${name}? Its producer is disconnected and refused for a while.`}
          confirmLabel="Stop stream"
          extra={<input class="stop-reason" aria-label="Reason (optional, the producer sees it)" placeholder="Reason (optional)" maxLength={200} value={stopReason} onInput={(event) => setStopReason(event.currentTarget.value)} />}
          onConfirm={() => {
            const reason = stopReason.trim();
            setStopReason('');
            return run(() => api.call<{ producer: string }>('POST', roomPath(name, '/stream/stop'), reason ? { reason } : {}), (r) => `Stopped ${r.producer}'s stream in ${name}`, refresh);
          }}
        />
        <ConfirmButton
          class="room-close danger"
          label="Close"
          question={`Close room ${name}? Everyone in it is disconnected and its history deleted.`}
          confirmLabel="Close room"
          onConfirm={() => run(() => api.call('DELETE', roomPath(name)), () => `Closed ${name}`, refresh)}
        />
      </td>
    </tr>
  );
}
