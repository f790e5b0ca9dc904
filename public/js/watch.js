import { mountChatPanel } from './chat-panel.js';
import { el } from './dom.js';
import { mountPlayer } from './player.js';
import { loadRecordings, showRecordings } from './recordings.js';
import { loadRoom, roomFromPath, roomUrl } from './room-page.js';

// /watch/:room — the viewer page: the live player next to the chat panel.
const room = roomFromPath();
const token = new URLSearchParams(location.search).get('token') ?? undefined;
const problem = document.querySelector('#problem');
document.querySelector('#room-name').textContent = room;
document.title = `${room} — chatserver`;

/** How often a viewer who has not joined the chat asks the room whether it went live. */
const POLL_MS = 3000;
/** A broadcast's recording is listed within a second of its end; the list is read again after this. */
const RECORDING_LISTED_MS = 1500;

const recordingList = document.querySelector('#recordings');
async function listRecordings() {
  showRecordings(recordingList, room, await loadRecordings(room), token);
}

async function start() {
  const info = await loadRoom(room);
  const chat = document.querySelector('#chat');
  const player = mountPlayer(document.querySelector('#player'));
  window.chatserverPlayer = player;
  let live = false;
  const follow = (stream) => {
    if (stream.live) player.play(roomUrl(info.port, stream.path ?? '/hls/index.m3u8'));
    else if (live) player.ended();
    // A broadcast that starts is a recording in progress; one that ends is a recording to replay.
    if (stream.live !== live) setTimeout(() => listRecordings().catch(() => undefined), stream.live ? 0 : RECORDING_LISTED_MS);
    live = stream.live;
  };
  // Joined viewers hear of the stream at once through the chat; the others poll the room port.
  chat.addEventListener('chat:welcome', (event) => follow(event.detail.stream));
  chat.addEventListener('chat:stream', (event) => follow(event.detail));
  const poll = async () => {
    const response = await fetch(roomUrl(info.port, '/health'));
    if (response.ok) follow({ live: (await response.json()).data.live });
  };
  follow({ live: info.live });
  setInterval(() => poll().catch(() => undefined), POLL_MS);
  mountChatPanel(chat, { room, token, url: roomUrl(info.port, '/chat', 'ws') });
  listRecordings().catch((error) => recordingList.replaceChildren(el('li', 'recording-none', `The recordings could not be loaded: ${error.message}`)));
}

start().catch((error) => {
  problem.textContent = `Could not load the room: ${error.message}`;
});
