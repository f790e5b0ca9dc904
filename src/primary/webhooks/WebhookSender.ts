import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './webhookTarget.js';

/** What one attempt got: the status (null: no answer at all) and, for a failure, why. */
export interface AttemptResult {
  readonly status: number | null;
  readonly error: string | null;
}

/** Sends one endpoint's attempts: in this thread (WebhookSender) or in the sender thread (SenderThread). */
export interface AttemptSender {
  /** Never rejects: every outcome is an AttemptResult. */
  send(target: WebhookTarget, headers: Readonly<Record<string, string>>, body: string): Promise<AttemptResult>;
  close(): void;
}

/** Bytes of an answer read before the connection is dropped: a receiver's body is never used. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The connection goes to the address the target was checked with, whatever DNS says now. */
function pinned(target: WebhookTarget): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * Sends webhook requests for one endpoint: keep-alive connections (at most `concurrency`), one
 * deadline for the whole exchange, redirects never followed (a 3xx is a failure like any non-2xx),
 * at most MAX_ANSWER_BYTES of an answer read. Never throws: every outcome is an AttemptResult.
 */
export class WebhookSender implements AttemptSender {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #timeoutMs: number;

  constructor(concurrency: number, timeoutMs: number) {
    this.#http = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    this.#https = new https.Agent({ keepAlive: true, maxSockets: concurrency });
    this.#timeoutMs = timeoutMs;
  }

  send(target: WebhookTarget, headers: Readonly<Record<string, string>>, body: string): Promise<AttemptResult> {
    const secure = target.url.protocol === 'https:';
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      };
      const request = (secure ? https : http).request(target.url, {
        method: 'POST',
        agent: secure ? this.#https : this.#http,
        lookup: pinned(target),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'chatserver-webhooks/1.0', ...headers },
      });
      const deadline = setTimeout(() => {
        request.destroy();
        finish({ status: null, error: `no answer within ${this.#timeoutMs} ms` });
      }, this.#timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: error.code ?? error.message }));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const error = ok ? null : status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
        let read = 0;
        // Drained (so the connection is reused) up to a bound; past it the connection is dropped.
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
        // An answer whose body never ends would hold a connection (of `concurrency`) for good.
        const drain = setTimeout(() => response.destroy(), this.#timeoutMs);
        response.on('close', () => clearTimeout(drain));
        finish({ status, error });
      });
      request.end(body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
