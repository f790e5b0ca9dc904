import WebSocket from 'ws';

// Frames are JSON of many shapes; each test asserts the fields it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: JSON frames of any shape
export type Frame = Record<string, any>;

const PRESENCE = new Set(['joined', 'left', 'typing']);

/** A real `ws` client that records every frame and lets a test wait for one. */
export class ChatTestClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters = new Set<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }>();
  #cursor = 0;

  private constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, headers });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      for (const waiter of this.#waiters) {
        if (waiter.test(frame)) {
          this.#waiters.delete(waiter);
          waiter.resolve(frame);
        }
      }
    });
  }

  /** `headers` go with the upgrade request (e.g. `X-Forwarded-For`, as a proxy would send). */
  static async connect(port: number, path = '/chat', headers?: Record<string, string>): Promise<ChatTestClient> {
    const client = new ChatTestClient(`ws://127.0.0.1:${port}${path}`, headers);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  /** Connects and joins; resolves with the welcome frame. */
  static async join(port: number, join: { token?: string; name?: string }): Promise<{ client: ChatTestClient; welcome: Frame }> {
    const client = await ChatTestClient.connect(port);
    client.send({ type: 'join', ...join });
    const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
    if (welcome.type !== 'welcome') throw new Error(`join refused: ${JSON.stringify(welcome)}`);
    return { client, welcome };
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /**
   * The next frame (after those already taken by next()) that passes the test. Without a test:
   * the next frame that is not presence (joined / left / typing), which other tests' clients
   * coming and going can cause at any time.
   */
  next(test: (f: Frame) => boolean = (f) => !PRESENCE.has(String(f.type)), timeoutMs = 5_000): Promise<Frame> {
    for (; this.#cursor < this.frames.length; ) {
      const frame = this.frames[this.#cursor++]!;
      if (test(frame)) return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          this.#cursor = this.frames.length;
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-3)).slice(0, 600)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Sends a ping with a ref and waits for its pong: every frame sent before it has been handled. */
  async sync(): Promise<void> {
    const ref = `sync-${Math.random()}`;
    this.send({ type: 'ping', ref });
    await this.next((f) => f.type === 'pong' && f.ref === ref);
  }

  close(): void {
    this.ws.close();
  }
}
