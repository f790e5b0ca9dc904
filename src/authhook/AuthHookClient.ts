import { randomUUID } from 'node:crypto';
import { webhookHeaders } from '../kit/standardWebhooks.js';
import type { HookRequest } from './hookAnswer.js';

/** A hook's answer body is read up to this; a longer one is a failed call (a hook answers in a few bytes). */
export const MAX_ANSWER_BYTES = 16 * 1024;

/** What the hook said, unparsed: allow (2xx), deny (403), or no usable answer. */
export type HookOutcome = { readonly kind: 'allow' | 'deny'; readonly body: string } | { readonly kind: 'failed'; readonly why: string };

export interface AuthHookEndpoint {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
}

/**
 * One signed POST to the hook (Standard Webhooks headers). Node's fetch (undici) keeps its
 * connections alive, so a join costs one request on a warm socket, not a TCP (and TLS) setup.
 * Redirects are not followed (a 3xx is a failure), the whole call (answer body included) has
 * the timeout, and the body is read up to MAX_ANSWER_BYTES.
 */
export class AuthHookClient {
  readonly #endpoint: AuthHookEndpoint;

  constructor(endpoint: AuthHookEndpoint) {
    this.#endpoint = endpoint;
  }

  async ask(request: HookRequest): Promise<HookOutcome> {
    const body = JSON.stringify(request);
    const { url, secret, timeoutMs } = this.#endpoint;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'chatserver-auth-hook', ...webhookHeaders([secret], `msg_${randomUUID()}`, body) },
      });
    } catch (error) {
      return { kind: 'failed', why: describe(error, timeoutMs) };
    }
    const status = response.status;
    const isAllow = status >= 200 && status < 300;
    if (!isAllow && status !== 403) {
      void response.body?.cancel().catch(() => undefined);
      return { kind: 'failed', why: `it answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` };
    }
    const text = await readBounded(response, timeoutMs);
    // A 403 is a refusal whatever its body (a framework's or a firewall's big HTML page, one that
    // never ends): with AUTH_HOOK_FAILURE=allow, treating it as a failure would let them in.
    if (typeof text !== 'string') return isAllow ? { kind: 'failed', why: text.why } : { kind: 'deny', body: '' };
    return { kind: isAllow ? 'allow' : 'deny', body: text };
  }
}

async function readBounded(response: Response, timeoutMs: number): Promise<string | { why: string }> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        void reader.cancel().catch(() => undefined);
        return { why: `its answer is longer than ${MAX_ANSWER_BYTES} bytes` };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { why: describe(error, timeoutMs) };
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
