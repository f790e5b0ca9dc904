import type { AttemptResult } from './WebhookSender.js';

/** From the primary to the sender thread, in batches (one message a tick). */
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
