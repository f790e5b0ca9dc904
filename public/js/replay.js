// /replay/:room/:id — a recording with its chat replayed beside it, in step with playback.
import { loadRoom, roomUrl } from './room-page.js';
import { formatDuration, formatStart } from './recordings.js';
import { mountReplayChat } from './replay-chat.js';
import { mountVodPlayer } from './vod-player.js';

const [room, id] = location.pathname.split('/').slice(2, 4).map(decodeURIComponent);
const token = new URLSearchParams(location.search).get('token') ?? undefined;
const problem = document.querySelector('#problem');
/** The page moves the chat along at least this often while the video plays (timeupdate alone comes every 250 ms or so). */
const TICK_MS = 100;
/** Messages per request: the API's largest page. */
const PAGE = 1000;

async function api(path) {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `The server answered ${response.status}`);
  return body.data;
}

/** Every message of the recording, oldest first, page after page. */
async function loadMessages() {
  const base = `/api/v1/room/${encodeURIComponent(room)}/recordings/${encodeURIComponent(id)}/messages?limit=${PAGE}`;
  const messages = [];
  let after = null;
  do {
    const page = await api(after === null ? base : `${base}&after=${encodeURIComponent(after)}`);
    messages.push(...page.messages);
    after = page.next;
  } while (after !== null);
  return messages;
}

async function start() {
  const roomLink = document.querySelector('#room-link');
  roomLink.textContent = room;
  roomLink.href = `/watch/${encodeURIComponent(room)}`;
  const [info, recording] = await Promise.all([loadRoom(room), api(`/api/v1/room/${encodeURIComponent(room)}/recordings/${encodeURIComponent(id)}`)]);
  const title = `Recording of ${formatStart(recording.startedAt)}${recording.endedAt === null ? ' (still recording)' : `, ${formatDuration(recording.duration)}`}`;
  document.querySelector('#recording-title').textContent = title;
  document.title = `${room}: ${title} — chatserver`;

  const chat = mountReplayChat(document.querySelector('#chat'));
  const player = mountVodPlayer(document.querySelector('#player'), { startedAt: recording.startedAt });
  window.chatserverReplay = { player, chat };
  const follow = () => {
    const at = player.wallClock();
    if (at !== null) chat.show(at);
  };
  for (const event of ['timeupdate', 'seeking', 'seeked', 'loadeddata', 'ended']) player.video.addEventListener(event, follow);
  setInterval(() => !player.video.paused && follow(), TICK_MS);
  player.play(roomUrl(info.port, `/recordings/${encodeURIComponent(id)}/index.m3u8`));
  loadMessages()
    .then((messages) => {
      chat.setMessages(messages);
      follow();
    })
    .catch((error) => chat.failed(`The chat of this recording could not be loaded: ${error.message}`));
}

start().catch((error) => {
  problem.textContent = `Could not load the recording: ${error.message}`;
});
