import { mountChatPanel } from './chat-panel.js';
import { mountPlayer } from './player.js';
import { loadRoom, roomFromPath, roomUrl } from './room-page.js';

// /watch/:room — the viewer page: the live player next to the chat panel.
const room = roomFromPath();
const token = new URLSearchParams(location.search).get('token') ?? undefined;
const problem = document.querySelector('#problem');
document.querySelector('#room-name').textContent = room;
document.title = `${room} — chatserver`;

/** How often a viewer who has not joined the chat asks the room whether it went live. */
const POLL_MS = 3000;

async function start() {
  const info = await loadRoom(room);
  const chat = document.querySelector('#chat');
  const player = mountPlayer(document.querySelector('#player'));
  window.chatserverPlayer = player;
  let live = false;
  const follow = (stream) => {
    if (stream.live) player.play(roomUrl(info.port, stream.path ?? '/hls/index.m3u8'));
    else if (live) player.ended();
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
}

start().catch((error) => {
  problem.textContent = `Could not load the room: ${error.message}`;
});
