import http from 'node:http';
import WebSocket from 'ws';

export type IngestFrame = Record<string, unknown> & { type: string };

/** A producer on the WebSocket ingest, as the broadcast page is: binary media out, state frames in. */
export class IngestSocket {
  readonly frames: IngestFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters = new Set<{ test: (f: IngestFrame) => boolean; resolve: (f: IngestFrame) => void }>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(String(data)) as IngestFrame;
      this.frames.push(frame);
      for (const waiter of this.#waiters) {
        if (waiter.test(frame)) {
          this.#waiters.delete(waiter);
          waiter.resolve(frame);
        }
      }
    });
  }

  /** Opens the socket; a refused handshake rejects with the HTTP status and the JSON error. */
  static open(port: number, token: string | null): Promise<IngestSocket> {
    const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ingest${query}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new IngestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode} ${body}`), { status: res.statusCode, body: JSON.parse(body || '{}') })));
      });
      ws.once('error', reject);
    });
  }

  /** Opens the socket, sends `media` and resolves once the server says the stream is live. */
  static async live(port: number, token: string, media: Buffer, timeoutMs?: number): Promise<IngestSocket> {
    const producer = await IngestSocket.open(port, token);
    await producer.feed(media);
    await producer.next((f) => f.state === 'live', timeoutMs);
    return producer;
  }

  next(test: (f: IngestFrame) => boolean, timeoutMs = 20_000): Promise<IngestFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching ingest frame in ${timeoutMs} ms: ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.#waiters.add({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Sends `media` in chunks (as MediaRecorder's timeslices arrive), pausing between them. */
  async feed(media: Buffer, chunkBytes = 32 * 1024, pauseMs = 5): Promise<void> {
    for (let at = 0; at < media.length && this.ws.readyState === WebSocket.OPEN; at += chunkBytes) {
      this.ws.send(media.subarray(at, at + chunkBytes));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** Stops streaming the way the broadcast page does (a normal close). */
  close(): void {
    this.ws.close(1000, 'producer stopped');
  }
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request with the path sent exactly as given (fetch would normalize `..` away). */
export function rawRequest(
  port: number,
  path: string,
  options: { method?: string; body?: Buffer; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: false };
    const req = http.request(request, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
