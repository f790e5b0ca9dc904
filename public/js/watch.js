import { mountChatPanel } from './chat-panel.js';

// /watch/:room — the viewer page. The broadcast issue adds the player next to the chat.
const room = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const token = new URLSearchParams(location.search).get('token') ?? undefined;
const title = document.querySelector('#room-name');
const problem = document.querySelector('#problem');
title.textContent = room;
document.title = `${room} — chatserver`;

async function start() {
  const response = await fetch(`/api/v1/room/${encodeURIComponent(room)}`);
  const body = await response.json();
  if (!response.ok) {
    problem.textContent = body.error?.message ?? `The room could not be found (${response.status})`;
    return;
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  mountChatPanel(document.querySelector('#chat'), { room, token, url: `${scheme}://${location.hostname}:${body.data.port}/chat` });
}

start().catch((error) => {
  problem.textContent = `Could not load the room: ${error.message}`;
});
