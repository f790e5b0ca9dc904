// The chat beside a recording, in step with its playback: a message is shown once the wall-clock
// time of the playback position has passed the message's `ts`. Seeking back removes the later
// messages, seeking forward adds the skipped ones. All user text goes in through textContent.
import { el } from './dom.js';

function timeOf(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** How many of `messages` (oldest first) have `ts <= at`: a binary search. */
function countUpTo(messages, at) {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (messages[middle].ts <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

function messageItem(message) {
  const item = el('li', 'chat-message');
  item.dataset.id = message.id;
  item.dataset.ts = String(message.ts);
  const time = el('time', 'chat-time', timeOf(message.ts));
  time.dateTime = new Date(message.ts).toISOString();
  item.append(time, el('span', 'chat-name', message.name), el('span', 'chat-text', message.text));
  return item;
}

/**
 * Mounts the replayed chat into `root`. Returns { show(at) }: the page calls it with the
 * playback position's wall-clock time (ms) whenever that moves; `setMessages` gives the
 * recording's messages, oldest first, once loaded.
 */
export function mountReplayChat(root) {
  root.classList.add('chat-panel');
  const status = el('div', 'chat-status', 'Loading the chat of this recording');
  status.setAttribute('role', 'status');
  const list = el('ol', 'chat-messages');
  // Not a live region: a seek adds or removes many messages at once, which a screen reader would read out whole.
  list.setAttribute('aria-label', 'Chat messages up to this point of the recording');
  root.append(status, list);
  let messages = [];
  let at = -Infinity;

  function show(time) {
    at = time;
    const target = countUpTo(messages, at);
    const shown = list.children.length;
    if (target === shown) return;
    if (target < shown) {
      while (list.children.length > target) list.lastElementChild.remove();
      return;
    }
    const follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    // A loop into a fragment, not append(...all): a seek to the end of a long chat would pass
    // every message as an argument (too many for the call stack).
    const added = document.createDocumentFragment();
    for (let i = shown; i < target; i += 1) added.append(messageItem(messages[i]));
    list.append(added);
    // Keeps the newest in view unless the viewer scrolled up to read.
    if (follow) list.scrollTop = list.scrollHeight;
  }

  function setMessages(loaded) {
    messages = loaded;
    list.replaceChildren();
    status.textContent = loaded.length === 0 ? 'Nobody wrote in the chat during this broadcast.' : `${loaded.length} chat message${loaded.length === 1 ? '' : 's'}, shown as the recording plays`;
    show(at);
  }

  function failed(text) {
    status.textContent = text;
  }

  return { show, setMessages, failed };
}
