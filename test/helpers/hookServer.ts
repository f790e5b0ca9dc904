import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the hook received: its JSON body, and whether its signature verified (with the standardwebhooks package). */
export interface HookCall {
  // The body's shape is what the test asserts.
  readonly body: Record<string, unknown>;
  readonly headers: http.IncomingHttpHeaders;
  readonly verified: boolean;
}

/** What the test's hook answers: a status, a body (object: JSON), and how long it waits first. */
export interface HookReply {
  readonly status: number;
  readonly body?: unknown;
  readonly delayMs?: number;
  readonly headers?: Record<string, string>;
}

/**
 * A real receiving hook server in the test: every request is verified with an independent
 * implementation of Standard Webhooks (the `standardwebhooks` package) against `secret`, kept in
 * `calls`, and answered by `reply` (which the test sets).
 */
export class HookServer {
  readonly calls: HookCall[] = [];
  reply: (body: Record<string, unknown>) => HookReply = () => ({ status: 204 });
  readonly #server: http.Server;
  readonly #verifier: Webhook;

  private constructor(secret: string) {
    this.#verifier = new Webhook(secret);
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let verified = true;
        try {
          this.#verifier.verify(raw, req.headers as Record<string, string>);
        } catch {
          verified = false;
        }
        const body = JSON.parse(raw) as Record<string, unknown>;
        this.calls.push({ body, headers: req.headers, verified });
        const reply = this.reply(body);
        const send = () => {
          if (res.destroyed) return;
          const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(text);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  static async start(secret: string): Promise<HookServer> {
    const hook = new HookServer(secret);
    await new Promise<void>((resolve) => hook.#server.listen(0, '127.0.0.1', resolve));
    return hook;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook?site=test`;
  }

  /** Calls about one room and user. */
  callsFor(room: string, user?: string): HookCall[] {
    return this.calls.filter((call) => call.body.room === room && (user === undefined || call.body.user === user));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
