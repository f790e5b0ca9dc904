/**
 * Who is in one room (GET /api/v1/room/:name/users), read every 5 s while open, with kick, mute
 * and ban for each. Mute and ban last the duration chosen at the top of the list. The server
 * answers the first 200 (of those matching the search): a big room is searched, not scrolled.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { usePolling } from '../lib/usePolling.ts';
import { roomPath, type AdminApi } from './adminApi.ts';
import type { RoomUser, RoomUserList } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { DURATIONS, formatUntil } from './durations.ts';

const REFRESH_MS = 5000;
const COUNT = new Intl.NumberFormat('en');

interface Props {
  api: AdminApi;
  run: Run;
  room: string;
  onBanned: () => void;
}

export function UsersPanel({ api, run, room, onBanned }: Props) {
  const [list, setList] = useState<RoomUserList | null>(null);
  const [duration, setDuration] = useState<number>(DURATIONS[1]!.seconds);
  const [search, setSearch] = useState('');
  // Only the answer to the latest request is shown: a slow answer for an older search must not replace a newer one.
  const latest = useRef(0);
  const load = async () => {
    const request = ++latest.current;
    const query = search.trim() ? `?q=${encodeURIComponent(search.trim())}` : '';
    let answer: RoomUserList;
    try {
      answer = await api.call<RoomUserList>('GET', roomPath(room, `/users${query}`));
    } catch {
      answer = { users: [], total: 0 };
    }
    if (request === latest.current) setList(answer);
  };
  usePolling(load, REFRESH_MS);
  useEffect(() => void load(), [room, search]);
  const durationId = `users-duration-${room}`;
  const searchId = `users-search-${room}`;
  const label = (user: RoomUser) => `${user.name} (${user.id})`;
  const userPath = (user: RoomUser, rest = '') => roomPath(room, `/users/${encodeURIComponent(user.id)}${rest}`);

  const kick = (user: RoomUser) => run(() => api.call('DELETE', userPath(user)), () => `Kicked ${label(user)} from ${room}`, load);
  const mute = (user: RoomUser) =>
    run(() => api.call<{ mutedUntil: number }>('POST', userPath(user, '/mute'), { duration }), (r) => `Muted ${label(user)} in ${room} until ${formatUntil(r.mutedUntil)}`, load);
  // Through the room's worker, as a moderator's ban goes: an anonymous user's address is banned too.
  const ban = (user: RoomUser) =>
    run(
      () => api.call('POST', userPath(user, '/ban'), { duration }),
      () => `Banned ${label(user)} from ${room}${user.anonymous ? ' (and their address)' : ''}`,
      async () => {
        onBanned();
        await load();
      },
    );

  const users = list?.users ?? null;
  return (
    <div class="users-panel" aria-label={`Users in ${room}`} role="group">
      <div class="users-bar">
        <label for={durationId}>Mute or ban for</label>
        <select id={durationId} class="users-duration" value={duration} onChange={(event) => setDuration(Number(event.currentTarget.value))}>
          {DURATIONS.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>{choice.label}</option>
          ))}
        </select>
        <label for={searchId}>Search</label>
        <input id={searchId} class="users-search" type="search" placeholder="name or id" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
      </div>
      {list !== null && list.total > list.users.length && (
        <p class="users-count" aria-live="polite">{`${COUNT.format(list.users.length)} of ${COUNT.format(list.total)}, search to narrow`}</p>
      )}
      {users === null && <p>Loading users…</p>}
      {users?.length === 0 && <p class="users-none">{search.trim() ? 'Nobody here matches the search.' : 'Nobody is in the room.'}</p>}
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
