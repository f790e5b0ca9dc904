/**
 * The fallback path where WebRTC fails: MediaRecorder WebM chunks over the room's WebSocket
 * ingest (docs/protocol.md, "Media ingest"). The server's text frames say when viewers can
 * watch and what the producer should fix.
 */
import type { IngestWarning } from '../../../src/contracts/ingest.ts';

/** H.264 first: the server copies it into HLS without encoding (less delay, less CPU). */
const MIME_TYPES = ['video/webm;codecs=h264,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];
/** A chunk this often: small enough to add little delay, large enough to be cheap. */
const TIMESLICE_MS = 250;
/** Unsent bytes beyond this mean the upload cannot keep up with the camera. */
const SLOW_UPLOAD_BYTES = 8 * 1024 * 1024;
/**
 * Closes after which publishing again may work: the server going away (a rolling restart), a
 * dropped connection, a server error, "try again later". Others (1000 ended, 4000 room closed,
 * 4001 token, 4010 stopped by a moderator, bad media, flooding) would only repeat.
 */
const RETRYABLE_CLOSES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

export interface SocketEvents {
  live(): void;
  warnings(warnings: readonly IngestWarning[]): void;
  /** The server's `error` frame: a plain-language reason, before it closes. */
  problem(message: string): void;
  slowUpload(): void;
  /** The socket closed without our asking: `retry` says whether publishing again may work. */
  lost(reason: string, retry: boolean): void;
}

export interface SocketSession {
  readonly mimeType: string;
  /** Sends the last chunk and closes (1000); settles once the socket is closed, so the room's producer slot is free. */
  stop(): Promise<void>;
}

interface ServerFrame {
  type?: string;
  state?: string;
  warnings?: IngestWarning[];
  message?: string;
}

export function recordableMimeType(): string | undefined {
  return typeof MediaRecorder === 'function' ? MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) : undefined;
}

/** Opens the socket and records into it; resolves once it is open (or rejects when it never opens). */
export function publishSocket(url: string, stream: MediaStream, segmentSeconds: number, events: SocketEvents): Promise<SocketSession> {
  const mimeType = recordableMimeType();
  if (!mimeType) return Promise.reject(new Error('This browser can neither use WebRTC nor record WebM video: try Chrome, Edge or Firefox'));
  const socket = new WebSocket(url);
  let recorder: MediaRecorder | null = null;
  let stopping = false;
  const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => {
      recorder = new MediaRecorder(stream, {
        mimeType,
        videoBitsPerSecond: 2_500_000,
        audioBitsPerSecond: 128_000,
        // A keyframe per HLS segment, so copied H.264 cuts into segments of the right length.
        videoKeyFrameIntervalDuration: segmentSeconds * 1000,
      } as MediaRecorderOptions);
      recorder.addEventListener('dataavailable', (event) => {
        if (event.data.size === 0 || socket.readyState !== WebSocket.OPEN) return;
        socket.send(event.data);
        if (socket.bufferedAmount > SLOW_UPLOAD_BYTES) events.slowUpload();
      });
      // The last chunk is delivered before 'stop': then the server may finish the stream.
      recorder.addEventListener('stop', () => socket.readyState === WebSocket.OPEN && socket.close(1000, 'producer stopped'));
      recorder.start(TIMESLICE_MS);
      resolve({
        mimeType,
        stop: () => {
          stopping = true;
          if (recorder?.state === 'recording') recorder.stop();
          else socket.close(1000, 'producer stopped');
          return closed;
        },
      });
    });
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as ServerFrame;
      if (frame.type === 'ingest' && frame.state === 'live') {
        events.live();
        events.warnings(frame.warnings ?? []);
      } else if (frame.type === 'error' && frame.message) events.problem(frame.message);
    });
    socket.addEventListener('close', (event) => {
      if (recorder?.state === 'recording') recorder.stop();
      if (recorder === null) reject(new Error('The server did not take the upload'));
      else if (!stopping) events.lost(event.reason || `connection closed (${event.code})`, RETRYABLE_CLOSES.has(event.code));
    });
  });
}
