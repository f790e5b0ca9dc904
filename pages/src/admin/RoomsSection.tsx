/** The rooms table: one row per room (its figures, stream and actions) and, when opened, its users below it. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { AdminApi } from './adminApi.ts';
import type { AdminRoom } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { RoomRow } from './RoomRow.tsx';
import { UsersPanel } from './UsersPanel.tsx';

export const ROOM_COLUMNS = ['Room', 'Port', 'Worker', 'Clients', 'Viewers', 'Messages', 'Live', 'Status', 'Publish', 'Actions'] as const;

interface Props {
  api: AdminApi;
  run: Run;
  rooms: AdminRoom[];
  refresh: () => Promise<void>;
  onBanned: () => void;
}

export function RoomsSection({ api, run, rooms, refresh, onBanned }: Props) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (room: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(room)) next.add(room);
      return next;
    });
  return (
    <section id="rooms-section" class="admin-section" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">Rooms</h2>
      {/* Wide on a phone: the table scrolls sideways inside a region the keyboard can reach. */}
      <div class="table-scroll" role="region" aria-labelledby="rooms-heading" tabIndex={0}>
        <table class="admin-table admin-rooms">
          <thead>
            <tr>
              {ROOM_COLUMNS.map((column) => (
                <th key={column} scope="col">{column}</th>
              ))}
            </tr>
          </thead>
          <tbody id="rooms">
            {rooms.length === 0 && (
              <tr class="no-rooms">
                <td colSpan={ROOM_COLUMNS.length}>No rooms</td>
              </tr>
            )}
            {rooms.map((room) => (
              <Fragment key={room.name}>
                <RoomRow api={api} run={run} room={room} refresh={refresh} usersOpen={open.has(room.name)} onToggleUsers={() => toggle(room.name)} />
                {open.has(room.name) && (
                  <tr class="room-users-row" data-users-for={room.name}>
                    <td colSpan={ROOM_COLUMNS.length}>
                      <UsersPanel api={api} run={run} room={room.name} onBanned={onBanned} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
