// A room's recordings as the pages show them: newest first, each with its start time and
// duration, linking to its replay page (/replay/:room/:id). Text goes in as text only.
import { el } from './dom.js';

/** GET /api/v1/room/:room/recordings -> the recordings, newest first; throws with the API's message. */
export async function loadRecordings(room) {
  const response = await fetch(`/api/v1/room/${encodeURIComponent(room)}/recordings`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `The recordings could not be loaded (${response.status})`);
  return body.data;
}

/** `1:02:03` or `2:03`. */
export function formatDuration(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatStart(ms) {
  return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** The replay page of a recording; a join token goes along (the chat of a room without anonymous viewers needs it). */
function replayHref(room, id, token) {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `/replay/${encodeURIComponent(room)}/${encodeURIComponent(id)}${query}`;
}

/** A link to one recording: "Dec 2, 2026, 4:04 AM · 6:02" (or "recording now"). */
export function recordingLink(room, recording, token) {
  const link = el('a', 'recording-link', formatStart(recording.startedAt));
  link.href = replayHref(room, recording.id, token);
  const info = el('span', 'recording-info', recording.endedAt === null ? ' · recording now' : ` · ${formatDuration(recording.duration)}`);
  const item = el('li', 'recording');
  item.append(link, info);
  return item;
}

/** Fills `list` (an ul or ol) with the room's recordings, or a line saying there are none. */
export function showRecordings(list, room, recordings, token) {
  if (recordings.length === 0) list.replaceChildren(el('li', 'recording-none', 'No recordings yet.'));
  else list.replaceChildren(...recordings.map((recording) => recordingLink(room, recording, token)));
}
