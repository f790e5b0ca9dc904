/** Active bans (GET /api/v1/bans) with lift, and a form to add one (a user id, or `ip:ADDRESS`). */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from './adminApi.ts';
import type { AdminRoom, BanRecord } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { DURATIONS, formatUntil } from './durations.ts';

interface Props {
  api: AdminApi;
  run: Run;
  rooms: AdminRoom[];
  /** Changes when bans were made elsewhere on the page. */
  version: number;
}

export function BansSection({ api, run, rooms, version }: Props) {
  const [bans, setBans] = useState<BanRecord[] | null>(null);
  const load = async () => {
    setBans(await api.call<BanRecord[]>('GET', '/api/v1/bans'));
  };
  useEffect(() => void load().catch(() => undefined), [version]);

  const add = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const room = String(fields.get('room') ?? '');
    const reason = String(fields.get('reason') ?? '').trim();
    const duration = Number(fields.get('duration'));
    const body = { user: String(fields.get('user') ?? ''), ...(room ? { room } : {}), ...(reason ? { reason } : {}), ...(duration > 0 ? { duration } : {}) };
    void run(
      () => api.call<BanRecord>('POST', '/api/v1/bans', body),
      (ban) => `Banned ${ban.user} from ${ban.room ?? 'every room'}`,
      async () => {
        form.reset();
        await load();
      },
    );
  };
  const lift = (ban: BanRecord) => run(() => api.call('DELETE', `/api/v1/bans/${encodeURIComponent(ban.id)}`), () => `Lifted the ban on ${ban.user}`, load);

  return (
    <section id="bans-section" class="admin-section" aria-labelledby="bans-heading">
      <h2 id="bans-heading">Bans</h2>
      <form id="ban-form" class="admin-card admin-grid" onSubmit={add}>
        <label for="ban-user">User id or ip:ADDRESS</label>
        <input id="ban-user" name="user" required maxLength={128} autocomplete="off" />
        <label for="ban-room">Room</label>
        <select id="ban-room" name="room">
          <option value="">Every room</option>
          {rooms.map((room) => (
            <option key={room.name} value={room.name}>{room.name}</option>
          ))}
        </select>
        <label for="ban-reason">Reason (optional)</label>
        <input id="ban-reason" name="reason" maxLength={200} autocomplete="off" />
        <label for="ban-duration">For</label>
        <select id="ban-duration" name="duration">
          {DURATIONS.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>{choice.label}</option>
          ))}
          <option value="0">Until lifted</option>
        </select>
        <button type="submit">Ban</button>
      </form>
      <div class="table-scroll" role="region" aria-labelledby="bans-heading" tabIndex={0}>
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Room</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
              <th scope="col">Until</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody id="bans">
            {bans?.length === 0 && (
              <tr class="no-bans">
                <td colSpan={6}>No bans</td>
              </tr>
            )}
            {bans?.map((ban) => (
              <tr key={ban.id} data-ban={ban.id} data-user={ban.user}>
                <th scope="row">{ban.user}</th>
                <td>{ban.room ?? 'every room'}</td>
                <td>{ban.reason}</td>
                <td>{ban.by ?? 'operator'}</td>
                <td>{ban.expiresAt === null ? 'lifted by hand' : formatUntil(ban.expiresAt)}</td>
                <td>
                  <ConfirmButton class="ban-lift" label={<>Lift<span class="visually-hidden">{` the ban on ${ban.user}`}</span></>} question={`Lift the ban on ${ban.user}?`} confirmLabel="Lift ban" onConfirm={() => lift(ban)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
