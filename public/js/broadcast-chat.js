import { mountChatPanel } from './chat-panel.js';
import { loadRoom, roomFromPath, roomUrl } from './room-page.js';

// The chat beside the studio (pages/src/studio): the plain-JS chat panel until its component
// replaces it. The studio needs nothing from it.
const room = roomFromPath();
const token = new URLSearchParams(location.search).get('token');
if (token) {
  loadRoom(room)
    .then((info) => mountChatPanel(document.querySelector('#chat'), { room, token, url: roomUrl(info.port, '/chat', 'ws') }))
    .catch(() => undefined);
}
