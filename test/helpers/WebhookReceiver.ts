import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface Received {
  readonly id: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** performance.now() when it arrived. */
  readonly at: number;
  readonly path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: the JSON body of any event type; tests assert what they need
  readonly json: any;
}

/** How the receiver answers one request: a status after an optional delay, a body, or never (hang). */
export interface Answer {
  readonly status?: number;
  readonly delayMs?: number;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly hang?: boolean;
}

/**
 * A real HTTP server standing in for a site's webhook receiver: it records every request and
 * answers as the test says (`answer`), 204 by default.
 */
export class WebhookReceiver extends EventEmitter<{ request: [Received] }> {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => Answer = () => ({ status: 204 });
  readonly #server: http.Server;
  readonly #hanging = new Set<http.ServerResponse>();

  private constructor() {
    super();
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          // recorded as it came
        }
        const received: Received = { id: String(req.headers['webhook-id']), headers: req.headers, body, at: performance.now(), path: req.url ?? '', json };
        const index = this.received.push(received) - 1;
        this.emit('request', received);
        const answer = this.answer(received, index);
        if (answer.hang) return void this.#hanging.add(res);
        const send = () => {
          res.writeHead(answer.status ?? 204, answer.headers);
          res.end(answer.body);
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }

  /** Resolves with the requests once `predicate` holds for what was received (checked at each request). */
  waitFor(predicate: (received: readonly Received[]) => boolean, timeoutMs = 10_000): Promise<Received[]> {
    if (predicate(this.received)) return Promise.resolve([...this.received]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('request', check);
        reject(new Error(`webhook receiver: condition not met within ${timeoutMs} ms; got ${this.received.length} requests: ${this.received.map((r) => r.json?.type).join(', ')}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.received)) return;
        clearTimeout(timer);
        this.off('request', check);
        resolve([...this.received]);
      };
      this.on('request', check);
    });
  }

  /** Waits for an event of `type` (matching `where`), returning its body. */
  async event(type: string, where: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<Received> {
    const match = (r: Received) => r.json?.type === type && where(r.json.data as Record<string, unknown>);
    await this.waitFor((all) => all.some(match), timeoutMs);
    return this.received.find(match)!;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Verifies a request with the `standardwebhooks` package (not our signer): throws when it does not verify. */
export function verifyWithStandardWebhooks(secret: string, received: Received): unknown {
  const headers: Record<string, string> = {
    'webhook-id': String(received.headers['webhook-id']),
    'webhook-timestamp': String(received.headers['webhook-timestamp']),
    'webhook-signature': String(received.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(received.body, headers);
}

/**
 * A fresh receiver for every test of the describe block it is called in, and the chat clients a
 * test pushes to `clients` closed after it.
 */
export function receiverPerTest(hooks: { beforeEach: (fn: () => Promise<unknown>) => void; afterEach: (fn: () => Promise<unknown>) => void }): {
  receiver: WebhookReceiver;
  readonly clients: Array<{ close(): void }>;
} {
  const bed: { receiver: WebhookReceiver; readonly clients: Array<{ close(): void }> } = { receiver: undefined as unknown as WebhookReceiver, clients: [] };
  hooks.beforeEach(async () => (bed.receiver = await WebhookReceiver.start()));
  hooks.afterEach(async () => {
    for (const client of bed.clients.splice(0)) client.close();
    await bed.receiver.close();
  });
  return bed;
}
