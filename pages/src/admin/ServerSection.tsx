/** The server's switches: drain / resume, a message to every room, log level, rolling restart, shutdown, sign out. */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from './adminApi.ts';
import type { LogLevel } from './adminTypes.ts';
import type { Run } from './outcome.ts';
import { ConfirmButton } from './ConfirmButton.tsx';

/** The levels the log-level route takes (contracts/logLevels.ts: pages import its types only). */
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

interface Props {
  api: AdminApi;
  run: Run;
  accepting: boolean;
  refresh: () => Promise<void>;
  onSignOut: () => void;
}

export function ServerSection({ api, run, accepting, refresh, onSignOut }: Props) {
  const [level, setLevel] = useState<LogLevel | null>(null);
  const [chosen, setChosen] = useState<LogLevel>('info');
  const [restarting, setRestarting] = useState(false);
  const [text, setText] = useState('');
  useEffect(() => {
    api.call<{ level: LogLevel }>('GET', '/api/v1/server/log-level').then(
      (answer) => {
        setLevel(answer.level);
        setChosen(answer.level);
      },
      () => undefined,
    );
  }, [api]);

  const drain = () =>
    run(() => api.call<{ accepting: boolean }>('POST', '/api/v1/server/accepting', { accepting: !accepting }), (r) => (r.accepting ? 'Accepting new rooms' : 'Draining: no new rooms'), refresh);
  const broadcast = (event: Event) => {
    event.preventDefault();
    void run(() => api.call<{ rooms: number; delivered: number }>('POST', '/api/v1/messages', { text }), (r) => `Message delivered to ${r.delivered} in ${r.rooms} rooms`, () => setText(''));
  };
  const applyLevel = (event: Event) => {
    event.preventDefault();
    void run(
      () => api.call<{ level: LogLevel; workers: number }>('PUT', '/api/v1/server/log-level', { level: chosen }),
      (r) => {
        setLevel(r.level);
        return `Log level ${r.level} in the primary and ${r.workers} workers`;
      },
    );
  };
  const restart = async () => {
    setRestarting(true);
    await run(
      () => api.call<{ workers: number; rooms: number; ms: number; notBack: unknown[] }>('POST', '/api/v1/server/restart'),
      (r) => `Rolling restart done: ${r.workers} workers, ${r.rooms} rooms in ${(r.ms / 1000).toFixed(1)} s${r.notBack.length > 0 ? `; ${r.notBack.length} rooms not back yet` : ''}`,
      refresh,
    );
    setRestarting(false);
  };
  const shutdown = () => run(() => api.call('POST', '/api/v1/server/shutdown'), () => 'The server is shutting down: this page stops working once it is down');

  return (
    <section id="server-section" class="admin-section" aria-labelledby="server-heading">
      <h2 id="server-heading">Server</h2>
      <div class="admin-card server-controls">
        <div class="server-row">
          <button type="button" id="drain" onClick={() => void drain()} aria-describedby="drain-hint">{accepting ? 'Drain' : 'Resume'}</button>
          <span id="drain-hint" class="hint">{accepting ? 'Stop taking new rooms (existing rooms go on).' : 'Draining now: take new rooms again.'}</span>
        </div>
        <form id="broadcast" class="server-row" onSubmit={broadcast}>
          <label for="broadcast-text">Message to every room</label>
          <input id="broadcast-text" maxLength={2000} required value={text} onInput={(event) => setText(event.currentTarget.value)} />
          <button type="submit">Send to all</button>
        </form>
        <form id="log-level-form" class="server-row" onSubmit={applyLevel}>
          <label for="log-level">Log level</label>
          <select id="log-level" value={chosen} onChange={(event) => setChosen(event.currentTarget.value as LogLevel)}>
            {LEVELS.map((name) => (
              <option key={name} value={name}>{name}</option>
            ))}
          </select>
          <button type="submit" id="log-level-apply">Apply</button>
          <span id="log-level-now" class="hint">{level === null ? '' : `now: ${level}`}</span>
        </form>
        <div class="server-row">
          <ConfirmButton
            id="restart"
            label={restarting ? 'Restarting…' : 'Rolling restart'}
            disabled={restarting}
            question="Restart every worker, one at a time? Chat clients reconnect; streams carry on after a short stall."
            confirmLabel="Restart workers"
            onConfirm={restart}
          />
        </div>
        <div class="server-row">
          <ConfirmButton
            id="shutdown"
            class="danger"
            label="Shut down"
            question="Shut the server down? Every room closes and the server exits; it must be started again by hand or by its supervisor."
            confirmLabel="Shut down now"
            onConfirm={shutdown}
          />
        </div>
        <div class="server-row">
          <button type="button" id="sign-out" onClick={onSignOut}>Sign out</button>
        </div>
      </div>
    </section>
  );
}
