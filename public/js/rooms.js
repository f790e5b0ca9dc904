// `/` — the rooms of this server, each linking to its viewer page, with its recordings: how many,
// and a link to the latest one's replay.
import { el } from './dom.js';
import { loadRecordings, recordingLink } from './recordings.js';

const list = document.querySelector('#rooms');
const problem = document.querySelector('#problem');
/** Recordings by room, read again only when the room's live state changed (a broadcast began or ended). */
const recordingsSeen = new Map();

async function recordingsOf(room) {
  const seen = recordingsSeen.get(room.name);
  if (seen && seen.live === room.live) return seen.recordings;
  const recordings = await loadRecordings(room.name);
  recordingsSeen.set(room.name, { live: room.live, recordings });
  return recordings;
}

function recordingsLine(room, recordings) {
  const line = el('span', 'room-recordings', recordings.length === 0 ? ' · no recordings' : ` · ${recordings.length} recording${recordings.length === 1 ? '' : 's'}, latest: `);
  if (recordings.length === 0) return line;
  const latest = recordingLink(room.name, recordings[0]);
  line.append(...latest.childNodes);
  return line;
}

async function roomItem(room) {
  const item = el('li');
  const link = el('a', '', room.name);
  link.href = `/watch/${encodeURIComponent(room.name)}`;
  item.append(link, el('span', 'room-info', ` ${room.live ? 'LIVE' : 'offline'} · ${room.viewers ?? room.clients} watching`));
  const recordings = await recordingsOf(room).catch(() => null);
  if (recordings) item.append(recordingsLine(room, recordings));
  return item;
}

async function load() {
  const response = await fetch('/api/v1/rooms');
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? String(response.status));
  if (body.data.length === 0) {
    list.replaceChildren(el('li', '', 'No rooms yet.'));
    return;
  }
  list.replaceChildren(...(await Promise.all(body.data.map(roomItem))));
}

load().catch((error) => {
  problem.textContent = `Could not load the rooms: ${error.message}`;
});
setInterval(() => load().catch(() => undefined), 10000);
