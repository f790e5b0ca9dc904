// Glass-to-glass latency probe, injected into pages by bench/latency.ts.
// The broadcaster side paints the wall clock as black and white blocks on a canvas: the real
// broadcast page gets it as its camera (studio.js), and a plain page streams it through
// MediaRecorder to a WebSocket ingest (startClockBroadcast), as the broadcast page's fallback
// does. The viewer side reads the blocks back from the playing <video>, and notes when a video
// first played (window.firstPlayingAt: added before the page loads, it sees the first one).
// bench/lib/clockFrames.ts runs this file with a stub window and document to take the block
// layout (window.clockLayout) for the frames it paints in Node: one layout, one reader.

const BITS = 24;
const BLOCK = 40;
const COLUMNS = 12;
const WIDTH = 640;
const HEIGHT = 360;
const MODULO = 2 ** BITS;

function blockOrigin(bit) {
  return [40 + (bit % COLUMNS) * BLOCK, 60 + Math.floor(bit / COLUMNS) * BLOCK * 2];
}

window.clockLayout = { BITS, BLOCK, WIDTH, HEIGHT, blockOrigin };

document.addEventListener('playing', () => (window.firstPlayingAt ??= Date.now()), true);

/** A 30 fps video stream of the wall clock, painted every 10 ms. */
window.clockCanvasStream = () => {
  const canvas = Object.assign(document.createElement('canvas'), { width: WIDTH, height: HEIGHT });
  document.body.append(canvas);
  const context = canvas.getContext('2d');
  const paint = () => {
    const now = Date.now() % MODULO;
    context.fillStyle = '#808080';
    context.fillRect(0, 0, WIDTH, HEIGHT);
    for (let bit = 0; bit < BITS; bit++) {
      const [x, y] = blockOrigin(bit);
      context.fillStyle = (now >> bit) & 1 ? '#ffffff' : '#000000';
      context.fillRect(x, y, BLOCK, BLOCK);
    }
  };
  setInterval(paint, 10);
  paint();
  return canvas.captureStream(30);
};

window.startClockBroadcast = (ingestUrl, mimeType, segmentSeconds) => {
  const stream = window.clockCanvasStream();
  const state = { frames: [], closed: null };
  const ws = new WebSocket(ingestUrl);
  ws.addEventListener('message', (event) => state.frames.push({ at: Date.now(), frame: JSON.parse(event.data) }));
  ws.addEventListener('close', (event) => (state.closed = event.code));
  ws.addEventListener('open', () => {
    const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 2_500_000, videoKeyFrameIntervalDuration: segmentSeconds * 1000 });
    recorder.addEventListener('dataavailable', (event) => event.data.size > 0 && ws.readyState === 1 && ws.send(event.data));
    recorder.addEventListener('stop', () => ws.close(1000));
    recorder.start(250);
    state.startedAt = Date.now();
    state.stop = () => recorder.stop();
  });
  window.clockBroadcast = state;
};

/** The wall-clock time painted into the frame the video shows now, or null if unreadable. */
window.readClock = () => {
  const video = document.querySelector('video');
  if (!video || video.readyState < 2 || video.videoWidth === 0) return null;
  const canvas = (window.clockCanvas ??= document.createElement('canvas'));
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const scale = video.videoWidth / WIDTH;
  let value = 0;
  for (let bit = 0; bit < BITS; bit++) {
    const [x, y] = blockOrigin(bit);
    const [r, g, b] = context.getImageData(Math.round((x + BLOCK / 2) * scale), Math.round((y + BLOCK / 2) * scale), 1, 1).data;
    if ((r + g + b) / 3 > 128) value |= 1 << bit;
  }
  const now = Date.now();
  const latency = (((now % MODULO) - value) % MODULO + MODULO) % MODULO;
  return { latencyMs: latency, hlsLatencyS: window.chatserverPlayer?.hls?.latency ?? null };
};
