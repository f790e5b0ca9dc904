import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { webhookHeaders } from '../kit/standardWebhooks.js';
import type { HookRequest } from './hookAnswer.js';

/** A hook's answer body is read up to this; a longer one is a failed call (a hook answers in a few bytes). */
export const MAX_ANSWER_BYTES = 16 * 1024;
/** Connections to the hook at most, per worker: a burst of joins queues behind them rather than opening thousands. */
const MAX_SOCKETS = 256;

/** What the hook said, unparsed: allow (2xx), deny (403), or no usable answer. */
export type HookOutcome = { readonly kind: 'allow' | 'deny'; readonly body: string } | { readonly kind: 'failed'; readonly why: string };

export interface AuthHookEndpoint {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
}

/** What one exchange ended with: a status and the body read, or why there was none. */
type Exchange = { readonly status: number; readonly body: string } | { readonly why: string; readonly staleSocket: boolean };

/**
 * One signed POST to the hook (Standard Webhooks headers), on a keep-alive connection of
 * node:http's Agent. A join waits on this, so it is node:http rather than fetch: bench:authhook
 * measured fetch (undici) adding twice the time to a join at p50 and 2-3 times at p99
 * (docs/benchmarks.md, section 11).
 * Redirects are not followed (a 3xx is a failure), the whole call (answer body included) has the
 * timeout, and the body is read up to MAX_ANSWER_BYTES. A kept-alive connection the hook closed
 * just as it was reused is retried once on a new one, with the same webhook-id (the request
 * almost always never reached the hook; a hook that counts calls counts each id once).
 */
export class AuthHookClient {
  readonly #endpoint: AuthHookEndpoint;
  readonly #url: URL;
  readonly #agent: http.Agent;

  constructor(endpoint: AuthHookEndpoint) {
    this.#endpoint = endpoint;
    this.#url = new URL(endpoint.url);
    const secure = this.#url.protocol === 'https:';
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }) : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  async ask(request: HookRequest): Promise<HookOutcome> {
    const body = JSON.stringify(request);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'chatserver-auth-hook', ...webhookHeaders([this.#endpoint.secret], `msg_${randomUUID()}`, body) };
    const deadline = performance.now() + this.#endpoint.timeoutMs;
    let exchange = await this.#exchange(headers, body, this.#endpoint.timeoutMs);
    if ('staleSocket' in exchange && exchange.staleSocket && deadline - performance.now() > 0) exchange = await this.#exchange(headers, body, deadline - performance.now());
    if ('why' in exchange) return { kind: 'failed', why: exchange.why };
    const { status } = exchange;
    if (status === 403) return { kind: 'deny', body: exchange.body };
    if (status >= 200 && status < 300) return { kind: 'allow', body: exchange.body };
    return { kind: 'failed', why: `it answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` };
  }

  #exchange(headers: Record<string, string>, body: string, timeoutMs: number): Promise<Exchange> {
    const secure = this.#url.protocol === 'https:';
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      const finish = (exchange: Exchange): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(exchange);
      };
      // A 403 is a refusal whatever happens to its body (a framework's or a firewall's big HTML
      // page, one that never ends): with AUTH_HOOK_FAILURE=allow, a failure would let them in.
      let answered = 0;
      const failed = (why: string): void => finish(answered === 403 ? { status: 403, body: '' } : { why, staleSocket: false });
      const request = (secure ? https : http).request(this.#url, { method: 'POST', agent: this.#agent, headers });
      const timer = setTimeout(() => {
        request.destroy();
        failed(`no answer within ${this.#endpoint.timeoutMs} ms`);
      }, timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        finish({ why: error.code ?? error.message, staleSocket: stale });
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        answered = status;
        // Only an allow or a deny has a body we use; any other answer is a failure whatever it says (its connection is dropped).
        if (status !== 403 && (status < 200 || status >= 300)) {
          response.destroy();
          return finish({ status, body: '' });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            response.destroy();
            failed(`its answer is longer than ${MAX_ANSWER_BYTES} bytes`);
          } else chunks.push(chunk);
        });
        response.on('error', (error) => failed(error.message));
        response.on('end', () => finish({ status, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('close', () => failed('the connection closed before the answer ended'));
      });
      request.end(body);
    });
  }
}
