/**
 * The console once signed in: the server's state line, then live figures, rooms (with their
 * users), bans, settings and the server's switches. Rooms and stats are read every 5 s; the
 * first read that works is what shows the console (a refused key never shows it).
 */
import { useEffect, useState } from 'preact/hooks';
import { usePolling } from '../lib/usePolling.ts';
import type { AdminApi } from './adminApi.ts';
import type { AdminRoom, ServerStats } from './adminTypes.ts';
import type { Outcome } from './outcome.ts';
import { LiveFigures } from './LiveFigures.tsx';
import { RoomsSection } from './RoomsSection.tsx';
import { BansSection } from './BansSection.tsx';
import { SettingsSection } from './SettingsSection.tsx';
import { ServerSection } from './ServerSection.tsx';

const REFRESH_MS = 5000;

const SECTIONS = [
  ['figures', 'Live figures'],
  ['rooms-section', 'Rooms'],
  ['bans-section', 'Bans'],
  ['settings-section', 'Settings'],
  ['server-section', 'Server'],
] as const;

function stateLine(stats: ServerStats): string {
  const ready = stats.workers.filter((worker) => worker.state === 'ready').length;
  return `${stats.accepting ? 'accepting' : 'DRAINING'} · workers ${ready}/${stats.workers.length} · ${stats.rooms.total} rooms · ${stats.rooms.clients} clients · ${stats.rooms.live} live · up ${stats.uptimeS} s`;
}

export function AdminConsole({ api, outcome, onSignOut }: { api: AdminApi; outcome: Outcome; onSignOut: () => void }) {
  const [rooms, setRooms] = useState<AdminRoom[] | null>(null);
  const [stats, setStats] = useState<ServerStats | null>(null);
  // Grows when a ban is made from a room's user list, so the bans section reads them again.
  const [bansVersion, setBansVersion] = useState(0);
  const refresh = async () => {
    try {
      const [nextRooms, nextStats] = await Promise.all([api.call<AdminRoom[]>('GET', '/api/v1/rooms'), api.call<ServerStats>('GET', '/api/v1/stats')]);
      setRooms(nextRooms);
      setStats(nextStats);
    } catch (error) {
      outcome.setProblem((error as Error).message);
    }
  };
  usePolling(refresh, REFRESH_MS);
  useEffect(() => void refresh(), [api]);
  if (rooms === null || stats === null) return <p class="admin-loading">Loading…</p>;
  const shared = { api, run: outcome.run };
  return (
    <div id="console" class="admin">
      <nav class="admin-nav" aria-label="Sections">
        {SECTIONS.map(([id, label]) => (
          <a key={id} href={`#${id}`}>{label}</a>
        ))}
      </nav>
      <p id="server-state" class="server-state" data-accepting={String(stats.accepting)}>{stateLine(stats)}</p>
      <LiveFigures api={api} />
      <RoomsSection {...shared} rooms={rooms} refresh={refresh} onBanned={() => setBansVersion((version) => version + 1)} />
      <BansSection {...shared} rooms={rooms} version={bansVersion} />
      <SettingsSection {...shared} />
      <ServerSection {...shared} accepting={stats.accepting} refresh={refresh} onSignOut={onSignOut} />
    </div>
  );
}
