import type { AttemptResult } from './WebhookSender.js';

/**
 * Requests and answers cross between the threads at most once per this many ms: each message
 * wakes the other thread, and at 1,000 events a second one message per event cost the primary
 * about 65 µs each (docs/benchmarks.md section 10). A lone event is posted at once.
 */
export const POST_WINDOW_MS = 4;

/** From the primary to the sender thread, in batches (one message per POST_WINDOW_MS at most). */
export type SenderThreadRequest =
  | {
      readonly kind: 'send';
      readonly id: number;
      readonly endpoint: string;
      readonly concurrency: number;
      readonly timeoutMs: number;
      /** The target, checked in the primary (webhookTarget.ts): its URL and the address to connect to. */
      readonly url: string;
      readonly address: string;
      readonly family: 4 | 6;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  | { readonly kind: 'close'; readonly endpoint: string };

/** From the sender thread back, in batches: each request's outcome. */
export type SenderThreadAnswer = AttemptResult & { readonly id: number };
