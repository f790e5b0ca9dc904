// The chat panel: joins a room's /chat WebSocket when the user joins, shows history, users,
// messages and errors, keeps a message's text until the server acknowledges it, and reconnects
// with backoff when the server asks it to. All user text goes through textContent, never
// innerHTML. Protocol: docs/protocol.md.

import { el } from './dom.js';

/**
 * Closes after which the panel reconnects (and joins again) by itself. Not after a kick (4003)
 * or a ban (4004): the user sees why and stays out; a kicked user may join again by hand.
 */
const RECONNECT_CODES = new Set([1001, 1006, 1011, 4008, 4029]);
const JOIN_TIMEOUT = 4002;
const KICKED = 4003;
const BANNED = 4004;
/** The reasons the server gives when a moderator gave none (src/contracts/closeCodes.ts). */
const DEFAULT_REASONS = new Set(['kicked', 'banned']);
const MAX_BACKOFF_MS = 15000;
/** The ref of "Load older messages" history requests, so their refusals re-enable the button. */
const OLDER_REF = 'older';

function timeOf(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * Mounts a chat panel into `root`.
 * options: { room, url (ws://host:port/chat), token? }
 */
export function mountChatPanel(root, options) {
  root.classList.add('chat-panel');
  const status = el('div', 'chat-status', 'Not connected');
  const errors = el('div', 'chat-errors');
  errors.setAttribute('role', 'alert');
  const users = el('ul', 'chat-users');
  users.setAttribute('aria-label', 'People here');
  const messages = el('ol', 'chat-messages');
  messages.setAttribute('aria-live', 'polite');
  const older = el('button', 'chat-older', 'Load older messages');
  older.type = 'button';
  older.hidden = true;

  const joinForm = el('form', 'chat-join');
  const nameInput = el('input');
  nameInput.name = 'name';
  nameInput.placeholder = 'Your name';
  nameInput.maxLength = 32;
  // A token carries the name: its users only ever see the button (to join again after a kick).
  nameInput.required = !options.token;
  nameInput.hidden = Boolean(options.token);
  const joinButton = el('button', '', options.token ? 'Join chat again' : 'Join chat');
  joinButton.type = 'submit';
  joinForm.append(nameInput, joinButton);

  const sendForm = el('form', 'chat-send');
  const textInput = el('input');
  textInput.name = 'text';
  textInput.placeholder = 'Say something';
  textInput.maxLength = 2000;
  textInput.autocomplete = 'off';
  const sendButton = el('button', '', 'Send');
  sendButton.type = 'submit';
  sendForm.append(textInput, sendButton);
  sendForm.hidden = true;

  const typing = el('div', 'chat-typing');
  root.append(status, users, older, messages, typing, errors, joinForm, sendForm);

  let ws;
  let joinName = options.token ? undefined : '';
  let joined = false;
  let me;
  /** The message sent and not yet answered: its text stays in the input until the server's ack. */
  let pending = null;
  /** When a refused join's ban ends (the BANNED error says; its close then tells why). */
  let bannedUntil = null;
  let backoff = 500;
  let stopped = false;
  // Unique per page load: the server answers a resend of the same ref and text with the first
  // acknowledgement, so refs must never repeat for new messages (a counter alone restarts at 1).
  const refPrefix = crypto.randomUUID().slice(0, 8);
  let nextRef = 1;
  const present = new Map();
  const shown = new Set();
  let oldest;
  let typingTimer;
  let lastTypingSent = 0;

  function setStatus(text) {
    status.textContent = text;
  }

  function showError(text) {
    errors.textContent = text;
  }

  function renderUsers() {
    users.replaceChildren(
      ...[...present.values()].map((user) => {
        const item = el('li', `chat-user role-${user.role}`, user.name);
        item.dataset.userId = user.id;
        return item;
      }),
    );
  }

  function messageNode(message) {
    const item = el('li', 'chat-message');
    item.dataset.id = message.id;
    item.append(el('time', 'chat-time', timeOf(message.ts)), el('span', 'chat-name', message.name), el('span', 'chat-text', message.text));
    return item;
  }

  function addMessage(message, atTop = false) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    if (oldest === undefined || message.id < oldest) oldest = message.id;
    const node = messageNode(message);
    if (atTop) messages.prepend(node);
    else {
      const nearBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
      messages.append(node);
      if (nearBottom) messages.scrollTop = messages.scrollHeight;
    }
  }

  function addNotice(text, className = 'chat-notice') {
    const item = el('li', className, text);
    messages.append(item);
    messages.scrollTop = messages.scrollHeight;
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  /** The pending message was answered: an ack clears the input (unless the user typed on), a refusal keeps it. */
  function settlePending(refusal) {
    if (!pending) return;
    if (refusal) showError(`Not sent: ${refusal}`);
    else {
      showError('');
      if (textInput.value === pending.text) textInput.value = '';
    }
    pending = null;
    sendButton.disabled = false;
  }

  /** Why this user had to leave, with the moderator's reason and the ban's end when there are. */
  function removalNotice(code, reason) {
    const why = reason && !DEFAULT_REASONS.has(reason) ? `: ${reason}` : '';
    if (code !== BANNED) return `You were removed from the chat${why}. You may join again.`;
    const until = bannedUntil ? ` until ${new Date(bannedUntil).toLocaleString()}` : '';
    return `You are banned from this chat${until}${why}`;
  }

  function join() {
    send(options.token ? { type: 'join', token: options.token } : { type: 'join', name: joinName });
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        backoff = 500;
        joined = true;
        me = frame.you.id;
        present.clear();
        for (const user of frame.users) present.set(user.id, user);
        renderUsers();
        for (const message of frame.history) addMessage(message);
        older.hidden = frame.history.length === 0;
        older.disabled = false;
        if (frame.welcomeText) addNotice(frame.welcomeText, 'chat-system');
        setStatus(`In ${frame.room} as ${frame.you.name}`);
        showError('');
        joinForm.hidden = true;
        sendForm.hidden = false;
        textInput.focus();
        root.dispatchEvent(new CustomEvent('chat:welcome', { detail: frame }));
        break;
      case 'message':
        addMessage(frame);
        if (pending && frame.ref === pending.ref) settlePending();
        break;
      case 'joined':
        present.set(frame.user.id, frame.user);
        renderUsers();
        break;
      case 'left':
        present.delete(frame.user.id);
        renderUsers();
        break;
      case 'typing':
        typing.textContent = `${frame.name} is typing…`;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => (typing.textContent = ''), 3000);
        break;
      case 'history':
        for (const message of [...frame.messages].reverse()) addMessage(message, true);
        older.hidden = !frame.more;
        older.disabled = false;
        break;
      case 'system':
        addNotice(frame.text, 'chat-system');
        break;
      case 'moderation':
        // A kick or ban of this user is told when its close arrives, with the reason.
        if (frame.user === me && frame.action === 'ban') bannedUntil = frame.until ?? null;
        if (frame.user === me && frame.action !== 'mute') break;
        if (frame.address) {
          // An address ban also removes other anonymous users who share the address (a NAT, a campus).
          addNotice(`${frame.name ?? frame.user} was removed: their network address is banned here`);
          break;
        }
        addNotice(`${frame.user === me ? 'You were' : `${frame.name ?? frame.user} was`} ${frame.action === 'kick' ? 'removed' : frame.action === 'mute' ? 'muted' : 'banned'}${frame.reason ? `: ${frame.reason}` : ''}`);
        break;
      case 'stream':
        root.dispatchEvent(new CustomEvent('chat:stream', { detail: frame }));
        break;
      case 'closed':
        addNotice(`The room closed: ${frame.reason}`);
        break;
      case 'error':
        // A refused join: the close that follows tells why; this frame says until when.
        if (frame.code === 'BANNED') bannedUntil = frame.until ?? null;
        // A history page refused (HISTORY_BUSY, RATE_LIMITED): the button works again.
        if (frame.ref === OLDER_REF) older.disabled = false;
        if (pending && frame.ref === pending.ref) {
          settlePending(frame.message);
          break;
        }
        showError(frame.message);
        if (frame.code === 'NAME_TAKEN' || frame.code === 'NAME_INVALID') {
          joinForm.hidden = false;
          nameInput.focus();
        }
        break;
      default:
        break;
    }
  }

  /**
   * Opens the socket only when the user joins (at once with a token): the server closes a socket
   * that has not joined within its join timeout, so one opened on page load would be gone by the
   * time a viewer who took a while pressed Join.
   */
  function connect() {
    setStatus('Connecting…');
    const socket = new WebSocket(options.url);
    ws = socket;
    socket.addEventListener('open', () => {
      if (socket !== ws) return;
      setStatus('Connected');
      if (joinName !== '') join();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== ws) return;
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        showError(`Bad frame from the server: ${error.message}`);
      }
    });
    socket.addEventListener('close', (event) => {
      if (socket !== ws) return;
      ws = undefined;
      joined = false;
      sendForm.hidden = true;
      settlePending('the connection closed');
      if (stopped) return;
      onClosed(event);
    });
  }

  function onClosed(event) {
    if (RECONNECT_CODES.has(event.code)) {
      setStatus(`Disconnected (${event.code}); reconnecting in ${Math.round(backoff / 1000)} s`);
      setTimeout(() => ws || stopped || connect(), backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    } else if (event.code === JOIN_TIMEOUT) {
      // A socket left unjoined (a refused name, then a long pause): the next Join opens a new one.
      setStatus('Not connected');
      joinForm.hidden = false;
    } else if (event.code === KICKED || event.code === BANNED) {
      const notice = removalNotice(event.code, event.reason);
      // Out of the room: nobody is shown as present, and there is no history to page.
      present.clear();
      renderUsers();
      older.hidden = true;
      setStatus(notice);
      addNotice(notice);
      joinForm.hidden = event.code === BANNED;
    } else {
      setStatus(`Disconnected (${event.code}${event.reason ? `: ${event.reason}` : ''})`);
    }
  }

  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!options.token) joinName = nameInput.value;
    showError('');
    if (ws && ws.readyState === WebSocket.OPEN) join();
    else if (!ws) connect();
  });

  sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textInput.value;
    if (text.trim() === '' || pending) return;
    if (!joined || !ws || ws.readyState !== WebSocket.OPEN) {
      showError('Not sent: not connected');
      return;
    }
    pending = { ref: `${refPrefix}-${nextRef++}`, text };
    sendButton.disabled = true;
    send({ type: 'message', text, ref: pending.ref });
  });

  textInput.addEventListener('input', () => {
    if (Date.now() - lastTypingSent > 2000) {
      lastTypingSent = Date.now();
      send({ type: 'typing' });
    }
  });

  // One history request at a time (the server answers a second one with HISTORY_BUSY).
  older.addEventListener('click', () => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return showError('Not connected');
    older.disabled = true;
    send({ type: 'history', before: oldest, ref: OLDER_REF });
  });

  if (options.token) {
    joinForm.hidden = true;
    connect();
  }
  return {
    close() {
      stopped = true;
      ws?.close();
    },
  };
}
