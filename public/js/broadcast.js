import { mountChatPanel } from './chat-panel.js';
import { loadRoom, roomFromPath, roomUrl } from './room-page.js';
import { publishWhip, whipSupported, WhipRefused } from './whip.js';
import { mountPublishInfo } from './publish-info.js';

// /broadcast/:room?token=... — the producer page: camera and microphone over WebRTC (WHIP,
// ./whip.js: congestion control, lower delay), or, where WebRTC fails, through MediaRecorder to
// the room's WebSocket ingest (docs/protocol.md); the stream's state, and the chat.
// `&via=whip` or `&via=websocket` forces one path (no fallback): to compare them, or to get
// around a network that lets WebRTC connect but not carry media. Without it the page chooses.

/** H.264 first: the server copies it into HLS without encoding (less delay, less CPU). */
const MIME_TYPES = ['video/webm;codecs=h264,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];
/** A chunk this often: small enough to add little delay, large enough to be cheap. */
const TIMESLICE_MS = 250;
/** Unsent bytes beyond this mean the upload cannot keep up with the camera. */
const SLOW_UPLOAD_BYTES = 8 * 1024 * 1024;

const room = roomFromPath();
const token = new URLSearchParams(location.search).get('token');
/** The forced ingest path ('whip', 'websocket'), or null: WHIP where it works, else the WebSocket. */
const via = new URLSearchParams(location.search).get('via');
const VIAS = ['whip', 'websocket'];
const problem = document.querySelector('#problem');
const state = document.querySelector('#state');
const preview = document.querySelector('#preview');
const startButton = document.querySelector('#start');
const stopButton = document.querySelector('#stop');
const pathNote = document.querySelector('#path');
document.querySelector('#room-name').textContent = room;
document.title = `Broadcast ${room} — chatserver`;

let info = null;
let media = null;
let recorder = null;
let ws = null;
/** The WHIP session while WebRTC carries the stream ({ pc, stop }). */
let whip = null;

function show(text, kind) {
  state.textContent = text;
  state.dataset.state = kind;
}

/** Which ingest path carries the stream: 'whip', 'websocket' or '' (none). */
function showPath(path) {
  pathNote.dataset.path = path;
  pathNote.textContent = path === 'whip' ? 'via WebRTC (WHIP)' : path === 'websocket' ? 'via WebSocket (MediaRecorder)' : '';
}

function streaming(on) {
  startButton.hidden = on;
  stopButton.hidden = !on;
}

async function camera() {
  if (media) return media;
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('Camera access needs a secure page (https, or localhost)');
  try {
    media = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      audio: true,
    });
  } catch (error) {
    const message = error.name === 'NotAllowedError' ? 'Camera or microphone access was refused' : `No camera or microphone: ${error.message}`;
    throw new Error(message, { cause: error });
  }
  preview.srcObject = media;
  return media;
}

async function start() {
  problem.textContent = '';
  streaming(true);
  show('Connecting…', 'connecting');
  const check = await fetch(roomUrl(info.port, `/ingest?token=${encodeURIComponent(token)}`));
  const body = await check.json().catch(() => ({}));
  if (!check.ok) throw new Error(body.error?.message ?? `The server refused the stream (${check.status})`);
  if (!body.data.ready) throw new Error('You are streaming to this room already (from another page or device)');
  const stream = await camera();
  if (via === 'whip' && !whipSupported()) throw new Error('This browser has no WebRTC: open the page without via=whip to stream over the WebSocket');
  if (via !== 'websocket' && whipSupported()) {
    try {
      whip = await publishWhip(roomUrl(info.port, '/whip'), token, stream, onWhipLost);
      showPath('whip');
      show('Starting (WebRTC)…', 'connecting');
      return;
    } catch (error) {
      if (error instanceof WhipRefused || via === 'whip') throw error;
      console.warn(`WHIP failed, streaming over the WebSocket instead: ${error.message}`);
    }
  }
  startSocket(stream, body.data.settings.segmentSeconds);
}

function startSocket(stream, segmentSeconds) {
  const mimeType = MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
  if (!mimeType) throw new Error('This browser cannot record WebM video');
  const socket = new WebSocket(roomUrl(info.port, `/ingest?token=${encodeURIComponent(token)}`, 'ws'));
  ws = socket;
  showPath('websocket');
  socket.addEventListener('open', () => record(stream, mimeType, socket, segmentSeconds));
  socket.addEventListener('message', (event) => onServerFrame(JSON.parse(event.data)));
  socket.addEventListener('close', (event) => onClosed(socket, event));
}

function record(stream, mimeType, socket, segmentSeconds) {
  recorder = new MediaRecorder(stream, {
    mimeType,
    videoBitsPerSecond: 2_500_000,
    audioBitsPerSecond: 128_000,
    // A keyframe per HLS segment, so copied H.264 cuts into segments of the right length.
    videoKeyFrameIntervalDuration: segmentSeconds * 1000,
  });
  recorder.addEventListener('dataavailable', (event) => {
    if (event.data.size === 0 || socket.readyState !== WebSocket.OPEN) return;
    socket.send(event.data);
    if (socket.bufferedAmount > SLOW_UPLOAD_BYTES) show('Your upload is too slow for this video quality', 'error');
  });
  // The last chunk is delivered before 'stop': then the server may finish the stream.
  recorder.addEventListener('stop', () => socket.readyState === WebSocket.OPEN && socket.close(1000, 'producer stopped'));
  recorder.start(TIMESLICE_MS);
  show(`Starting (${mimeType.split('=')[1] ?? 'webm'})…`, 'connecting');
}

function onServerFrame(frame) {
  // Warnings (e.g. keyframes too far apart) are the producer's to fix; they come with `live` frames.
  if (frame.type === 'ingest' && Array.isArray(frame.warnings)) problem.textContent = frame.warnings.map((warning) => warning.message).join(' ');
  if (frame.type === 'ingest' && frame.state === 'live') show('LIVE', 'live');
  else if (frame.type === 'ingest' && frame.state === 'ended') show('Stream ended', 'idle');
  else if (frame.type === 'error') problem.textContent = frame.message;
}

function onClosed(socket, event) {
  if (socket !== ws) return;
  if (recorder?.state === 'recording') recorder.stop();
  recorder = null;
  ws = null;
  streaming(false);
  showPath('');
  if (event.code === 1000) show('Stream ended', 'idle');
  else show(`The stream stopped: ${event.reason || `connection closed (${event.code})`}`, 'error');
}

/** The chat's `stream` frames tell a WHIP publisher when viewers can watch (the WebSocket path has its own). */
function onStreamFrame(frame) {
  if (!whip) return;
  if (frame.live) show('LIVE', 'live');
}

function onWhipLost(reason) {
  if (!whip) return;
  whip = null;
  streaming(false);
  showPath('');
  show(`The stream stopped: ${reason}`, 'error');
}

function stop() {
  show('Stopping…', 'connecting');
  if (whip) {
    const session = whip;
    whip = null;
    session.stop().then(() => {
      streaming(false);
      showPath('');
      show('Stream ended', 'idle');
    });
    return;
  }
  if (recorder?.state === 'recording') recorder.stop();
  else ws?.close(1000, 'producer stopped');
}

async function main() {
  if (!token) throw new Error('This page needs a producer token: /broadcast/<room>?token=<producer token>');
  if (via !== null && !VIAS.includes(via)) throw new Error(`via must be ${VIAS.join(' or ')} (or left out to let the page choose), not "${via}"`);
  info = await loadRoom(room);
  mountPublishInfo(document.querySelector('#publish-info'), info.publish, token);
  const chat = document.querySelector('#chat');
  mountChatPanel(chat, { room, token, url: roomUrl(info.port, '/chat', 'ws') });
  chat.addEventListener('chat:stream', (event) => onStreamFrame(event.detail));
  startButton.addEventListener('click', () =>
    start().catch((error) => {
      problem.textContent = error.message;
      show('Not streaming', 'error');
      streaming(false);
    }),
  );
  stopButton.addEventListener('click', stop);
}

main().catch((error) => {
  problem.textContent = error.message;
  startButton.disabled = true;
});
