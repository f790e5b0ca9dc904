/**
 * For the site's operator: the API key (typed here, kept in this tab's sessionStorage only), then
 * a form that creates a room, or takes an existing one, and answers its links and tokens.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api.ts';
import { createRoom, mintToken, operatorKey } from './operatorApi.ts';
import { RoomLinks, type IssuedRoom } from './RoomLinks.tsx';

const ROOM_NAME = '[A-Za-z0-9_\\-]{1,64}';
const VALIDITY = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
];

export function OperatorPanel({ onCreated }: { onCreated: () => void }) {
  const [key, setKey] = useState<string | null>(operatorKey.read);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedRoom | null>(null);

  const useKey = (event: Event) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget as HTMLFormElement).get('key');
    if (typeof value !== 'string' || value === '') return;
    operatorKey.write(value);
    setKey(value);
    setProblem('');
  };
  const forgetKey = () => {
    operatorKey.write(null);
    setKey(null);
    setIssued(null);
  };
  const create = async (event: Event) => {
    event.preventDefault();
    if (key === null) return;
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get('room') ?? '');
    const ttl = Number(form.get('validity'));
    setBusy(true);
    setProblem('');
    try {
      const room = await createRoom(key, name, String(form.get('title') ?? ''));
      const [producer, moderator] = await Promise.all([mintToken(key, name, 'producer', ttl), mintToken(key, name, 'moderator', ttl)]);
      setIssued({ name, message: room.message, producer, moderator });
      onCreated();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        forgetKey();
        setProblem('The key was refused: type the KEY the server was started with.');
      } else setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="operator" aria-labelledby="operator-heading">
      <h2 id="operator-heading">Create a room</h2>
      <p id="operator-problem" class="problem" role="alert">{problem}</p>
      {key === null ? (
        <form key="key" id="operator-key" class="operator-form" onSubmit={useKey}>
          <p class="operator-note">For the operator: the server's API key (KEY), kept in this tab only.</p>
          <label for="api-key">API key</label>
          <input id="api-key" name="key" type="password" autocomplete="current-password" required />
          <button type="submit">Use key</button>
        </form>
      ) : (
        <form key="create" id="create-room" class="operator-form" onSubmit={create}>
          <label for="room-name">Room name</label>
          <input id="room-name" name="room" required pattern={ROOM_NAME} maxLength={64} aria-describedby="room-name-hint" autocomplete="off" />
          <span id="room-name-hint" class="hint">Letters, digits, - and _ (an existing room keeps its settings)</span>
          <label for="room-title">Title (optional)</label>
          <input id="room-title" name="title" maxLength={200} autocomplete="off" />
          <label for="room-validity">Tokens valid for</label>
          <select id="room-validity" name="validity">
            {VALIDITY.map((choice) => (
              <option key={choice.seconds} value={choice.seconds} selected={choice.seconds === 86_400}>{choice.label}</option>
            ))}
          </select>
          <div class="operator-buttons">
            <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create room and get links'}</button>
            <button type="button" id="forget-key" onClick={forgetKey}>Forget key</button>
          </div>
        </form>
      )}
      {issued && <RoomLinks room={issued} />}
    </section>
  );
}
