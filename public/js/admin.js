import { el } from './dom.js';

// /admin on the admin port: the rooms and the server, with close, message, kick, stream stop and drain.
// The key is asked for here, kept for this tab only (sessionStorage) and sent as X-API-Key.

const REFRESH_MS = 5000;
const problem = document.querySelector('#problem');
const done = document.querySelector('#done');
const signIn = document.querySelector('#sign-in');
const consoleView = document.querySelector('#console');
const rows = document.querySelector('#rooms');
const drain = document.querySelector('#drain');
const serverState = document.querySelector('#server-state');
let key = sessionStorage.getItem('chatserver-admin-key');
let accepting = true;
let timer = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) {
    signOut('The key was refused.');
    throw new Error('The key was refused.');
  }
  if (!response.ok) throw new Error(answer.error?.message ?? `${method} ${path} failed (${response.status})`);
  return answer.data;
}

function report(promise, success) {
  problem.textContent = '';
  return promise.then(
    (result) => {
      done.textContent = success(result);
      return refresh();
    },
    (error) => (problem.textContent = error.message),
  );
}

/** The cells that change; a row keeps its inputs across refreshes so typing is never lost. */
const CELLS = ['name', 'port', 'workerPid', 'clients', 'viewers', 'messages', 'live', 'status'];

function cellText(room, field) {
  // The ingest (protocol, and what its producer should fix) is the operator's first question about a live room.
  if (field === 'live') {
    if (!room.live) return '';
    const ingest = room.ingest;
    if (!ingest) return 'LIVE';
    const warnings = ingest.warnings.map((warning) => warning.message).join(' ');
    return `LIVE ${ingest.protocol}${ingest.held ? ' (reconnecting)' : ''}${warnings ? ` ⚠ ${warnings}` : ''}`;
  }
  return String(room[field] ?? '—');
}

/** Where the room's producer publishes (the key is a producer token, which this page does not hold). */
const PUBLISH_LABELS = { rtmp: 'RTMP', rtmpShared: 'RTMP (shared port)', whip: 'WHIP', srt: 'SRT', http: 'HTTP push' };

function publishCell(publish) {
  const cell = el('td', 'cell-publish');
  if (!publish) return cell;
  const details = el('details');
  details.append(el('summary', '', 'URLs'));
  const list = el('dl', 'publish-urls');
  for (const [kind, label] of Object.entries(PUBLISH_LABELS)) {
    if (!publish[kind]) continue;
    list.append(el('dt', '', label), el('dd', `publish-${kind}`, publish[kind]));
  }
  details.append(list);
  cell.append(details);
  return cell;
}

function roomRow(room) {
  const row = el('tr');
  row.dataset.room = room.name;
  for (const field of CELLS) row.append(el('td', `cell-${field}`, cellText(room, field)));
  row.append(publishCell(room.publish));
  const actions = el('td', 'admin-actions');
  const text = el('input');
  text.placeholder = 'Message';
  text.className = 'room-message';
  const send = el('button', 'room-send', 'Send');
  send.type = 'button';
  send.addEventListener('click', () => text.value && report(api('POST', '/api/v1/messages', { room: room.name, text: text.value }), (r) => `Message delivered to ${r.delivered} in ${room.name}`));
  const user = el('input');
  user.placeholder = 'User id';
  user.className = 'room-user';
  const kick = el('button', 'room-kick', 'Kick');
  kick.type = 'button';
  kick.addEventListener('click', () => user.value && report(api('DELETE', `/api/v1/room/${encodeURIComponent(room.name)}/users/${encodeURIComponent(user.value)}`), () => `Kicked ${user.value} from ${room.name}`));
  const stop = el('button', 'room-stop', 'Stop stream');
  stop.type = 'button';
  stop.addEventListener('click', () => {
    const reason = prompt(`Stop the stream in ${room.name}? Its producer is disconnected and refused for a while. Reason (optional):`);
    if (reason === null) return;
    report(api('POST', `/api/v1/room/${encodeURIComponent(room.name)}/stream/stop`, reason ? { reason } : {}), (r) => `Stopped ${r.producer}'s stream in ${room.name}`);
  });
  const close = el('button', 'room-close', 'Close');
  close.type = 'button';
  close.addEventListener('click', () => {
    if (confirm(`Close room ${room.name}? Everyone in it is disconnected and its history deleted.`)) {
      report(api('DELETE', `/api/v1/room/${encodeURIComponent(room.name)}`), () => `Closed ${room.name}`);
    }
  });
  actions.append(text, send, user, kick, stop, close);
  row.append(actions);
  return row;
}

/** Updates rows in place: new rooms get a row, gone rooms lose theirs, the others keep their inputs. */
function showRooms(rooms) {
  const existing = new Map([...rows.querySelectorAll('tr[data-room]')].map((row) => [row.dataset.room, row]));
  const ordered = rooms.map((room) => {
    const row = existing.get(room.name) ?? roomRow(room);
    for (const field of CELLS) row.querySelector(`.cell-${field}`).textContent = cellText(room, field);
    existing.delete(room.name);
    return row;
  });
  for (const gone of existing.values()) gone.remove();
  rows.querySelector('.no-rooms')?.remove();
  if (ordered.length === 0) rows.append(el('tr', 'no-rooms', 'No rooms'));
  // Move a row only when it is out of place: moving the row being typed in would blur it.
  ordered.forEach((row, index) => {
    if (rows.children[index] !== row) rows.insertBefore(row, rows.children[index] ?? null);
  });
}

async function refresh() {
  const [rooms, stats] = await Promise.all([api('GET', '/api/v1/rooms'), api('GET', '/api/v1/stats')]);
  accepting = stats.accepting;
  drain.textContent = accepting ? 'Drain' : 'Resume';
  const ready = stats.workers.filter((w) => w.state === 'ready').length;
  serverState.textContent = `${accepting ? 'accepting' : 'DRAINING'} · workers ${ready}/${stats.workers.length} · ${stats.rooms.total} rooms · ${stats.rooms.clients} clients · up ${stats.uptimeS} s`;
  showRooms(rooms);
}

function signOut(message = '') {
  key = null;
  sessionStorage.removeItem('chatserver-admin-key');
  clearInterval(timer);
  consoleView.hidden = true;
  signIn.hidden = false;
  serverState.textContent = '';
  done.textContent = '';
  problem.textContent = message;
}

async function start() {
  await refresh();
  // A refused key's message (or an earlier run's) no longer applies once the key works.
  problem.textContent = '';
  done.textContent = '';
  signIn.hidden = true;
  consoleView.hidden = false;
  clearInterval(timer);
  timer = setInterval(() => refresh().catch((error) => (problem.textContent = error.message)), REFRESH_MS);
}

signIn.addEventListener('submit', (event) => {
  event.preventDefault();
  key = document.querySelector('#key').value;
  sessionStorage.setItem('chatserver-admin-key', key);
  start().catch((error) => (problem.textContent = error.message));
});
document.querySelector('#sign-out').addEventListener('click', () => signOut());
drain.addEventListener('click', () => report(api('POST', '/api/v1/server/accepting', { accepting: !accepting }), (r) => (r.accepting ? 'Accepting new rooms' : 'Draining: no new rooms')));
document.querySelector('#broadcast').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = document.querySelector('#broadcast-text');
  report(api('POST', '/api/v1/messages', { text: text.value }), (r) => `Message delivered to ${r.delivered} in ${r.rooms} rooms`);
});

if (key) start().catch((error) => (problem.textContent = error.message));
