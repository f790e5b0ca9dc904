/**
 * Lets the browser clock producer (bench/browser/clock.js) broadcast to an RTMP server: it takes
 * the same WebSocket of MediaRecorder WebM chunks that chatserver's ingest takes, and pipes it
 * into `ffmpeg -c copy -f flv rtmp://...` (a remux, no encode). Like the ingest, it sends the
 * producer `{"state":"live"}` when the server's playlist lists its first segment, so startup is
 * timed the same way for every server. The hop costs the peer a remux; the figures say so.
 */
import { spawn } from 'node:child_process';
import { WebSocketServer } from 'ws';
import { freePort } from './processes.js';

export interface RtmpRelay {
  /** ws://127.0.0.1:port/<stream>: the producer's ingest URL for one stream name. */
  readonly urlFor: (stream: string) => string;
  readonly close: () => Promise<void>;
}

/** `rtmpBase` is rtmp://host:port/app; `playlistFor(stream)` is where the server lists its segments. */
export async function startRtmpRelay(ffmpeg: string, rtmpBase: string, playlistFor: (stream: string) => string): Promise<RtmpRelay> {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws, request) => {
    const stream = (request.url ?? '/').slice(1).replace(/[^A-Za-z0-9_-]/g, '');
    const child = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-fflags', '+genpts', '-probesize', '1000000', '-analyzeduration', '1000000',
      '-f', 'matroska', '-i', 'pipe:0', '-c', 'copy', '-f', 'flv', `${rtmpBase}/${stream}`], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin.on('error', () => {});
    ws.on('message', (data: Buffer) => child.stdin.write(data));
    ws.on('close', () => child.stdin.end());
    child.once('exit', () => ws.close(1000));
    const poll = setInterval(() => {
      fetch(playlistFor(stream)).then(async (response) => {
        if (!response.ok || !(await response.text()).includes('#EXTINF')) return;
        clearInterval(poll);
        ws.send(JSON.stringify({ type: 'ingest', state: 'live' }));
      }, () => {});
    }, 50);
    ws.on('close', () => clearInterval(poll));
  });
  return {
    urlFor: (stream) => `ws://127.0.0.1:${port}/${stream}`,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}
