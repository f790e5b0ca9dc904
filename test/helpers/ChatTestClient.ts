import WebSocket from 'ws';

// Frames are JSON of many shapes; each test asserts the fields it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: JSON frames of any shape
export type Frame = Record<string, any>;

const PRESENCE = new Set(['joined', 'left', 'typing']);

/**
 * A real `ws` client that records every frame and lets a test take the frames it waits for, in
 * the order they came: `next(test)` takes the oldest frame not taken yet that passes the test, one
 * already here or the first to come. Frames that pass no test wait for a later `next`.
 */
export class ChatTestClient {
  /** Every frame received, in order (taken or not). */
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Frames no next() has taken yet. */
  readonly #unread: Frame[] = [];
  /** next() calls waiting, oldest first: a frame goes to the first one it passes. */
  readonly #waiters: Array<{ test: (f: Frame) => boolean; take: (f: Frame) => void }> = [];

  private constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, headers });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const waiter = this.#waiters.findIndex((w) => w.test(frame));
      if (waiter === -1) this.#unread.push(frame);
      else this.#waiters.splice(waiter, 1)[0]!.take(frame);
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
   * Takes the oldest frame not taken yet that passes the test, waiting for one if none has come.
   * Without a test: the oldest frame that is not presence (joined / left / typing), which other
   * tests' clients coming and going can cause at any time.
   */
  next(test: (f: Frame) => boolean = (f) => !PRESENCE.has(String(f.type)), timeoutMs = 5_000): Promise<Frame> {
    const index = this.#unread.findIndex(test);
    if (index !== -1) return Promise.resolve(this.#unread.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        take: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; frames not taken: ${JSON.stringify(this.#unread.slice(-3)).slice(0, 600)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
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

/**
 * Clients a test joins with tokens, each closed by `hook` (afterEach or afterAll): the
 * returned function joins one and keeps it for the hook.
 */
export function tokenClientsClosedBy(hook: (cleanup: () => void) => void): (port: number, token: string) => Promise<ChatTestClient> {
  const clients: ChatTestClient[] = [];
  hook(() => {
    for (const client of clients.splice(0)) client.close();
  });
  return async (port, token) => {
    const { client } = await ChatTestClient.join(port, { token });
    clients.push(client);
    return client;
  };
}
