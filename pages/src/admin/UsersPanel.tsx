/**
 * Who is in one room (GET /api/v1/room/:name/users), read every 5 s while open, with kick, mute
 * and ban for each. Mute and ban last the duration chosen at the top of the list.
 */
import { useEffect, useState } from 'preact/hooks';
import { usePolling } from '../lib/usePolling.ts';
import { roomPath, type AdminApi } from './adminApi.ts';
import type { RoomUser } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { DURATIONS, formatUntil } from './durations.ts';

const REFRESH_MS = 5000;

interface Props {
  api: AdminApi;
  run: Run;
  room: string;
  onBanned: () => void;
}

export function UsersPanel({ api, run, room, onBanned }: Props) {
  const [users, setUsers] = useState<RoomUser[] | null>(null);
  const [duration, setDuration] = useState<number>(DURATIONS[1]!.seconds);
  const load = async () => {
    try {
      setUsers(await api.call<RoomUser[]>('GET', roomPath(room, '/users')));
    } catch {
      setUsers([]);
    }
  };
  usePolling(load, REFRESH_MS);
  useEffect(() => void load(), [room]);
  const durationId = `users-duration-${room}`;
  const label = (user: RoomUser) => `${user.name} (${user.id})`;

  const kick = (user: RoomUser) => run(() => api.call('DELETE', roomPath(room, `/users/${encodeURIComponent(user.id)}`)), () => `Kicked ${label(user)} from ${room}`, load);
  const mute = (user: RoomUser) =>
    run(() => api.call<{ mutedUntil: number }>('POST', roomPath(room, `/users/${encodeURIComponent(user.id)}/mute`), { duration }), (r) => `Muted ${label(user)} in ${room} until ${formatUntil(r.mutedUntil)}`, load);
  const ban = (user: RoomUser) =>
    run(
      () => api.call('POST', '/api/v1/bans', { user: user.id, room, reason: 'banned by an operator', duration }),
      () => `Banned ${label(user)} from ${room}`,
      async () => {
        onBanned();
        await load();
      },
    );

  return (
    <div class="users-panel" aria-label={`Users in ${room}`} role="group">
      <div class="users-bar">
        <label for={durationId}>Mute or ban for</label>
        <select id={durationId} class="users-duration" value={duration} onChange={(event) => setDuration(Number(event.currentTarget.value))}>
          {DURATIONS.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>{choice.label}</option>
          ))}
        </select>
      </div>
      {users === null && <p>Loading users…</p>}
      {users?.length === 0 && <p class="users-none">Nobody is in the room.</p>}
      {users !== null && users.length > 0 && (
        <ul class="users-list">
          {users.map((user) => (
            <li key={user.id} class="room-user-item" data-user={user.id}>
              <span class="user-name">{user.name}</span>
              <span class="user-id">{user.id}</span>
              <span class="user-role">{user.anonymous ? 'anonymous' : user.role}</span>
              {user.connections > 1 && <span class="user-connections">{`${user.connections} connections`}</span>}
              {user.mutedUntil !== null && <span class="user-muted">{`muted until ${formatUntil(user.mutedUntil)}`}</span>}
              <span class="user-actions">
                <button type="button" class="user-kick" onClick={() => void kick(user)}>
                  Kick<span class="visually-hidden">{` ${user.name}`}</span>
                </button>
                <button type="button" class="user-mute" onClick={() => void mute(user)}>
                  Mute<span class="visually-hidden">{` ${user.name}`}</span>
                </button>
                <ConfirmButton class="user-ban danger" label={<>Ban<span class="visually-hidden">{` ${user.name}`}</span></>} question={`Ban ${label(user)} from ${room}?`} confirmLabel="Ban" onConfirm={() => ban(user)} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
