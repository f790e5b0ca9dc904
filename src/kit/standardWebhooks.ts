import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing as the Standard Webhooks specification defines it, shared by the webhook dispatcher
 * and the synchronous join/publish hook so a receiver verifies both with one library.
 * A secret is `whsec_` + base64 key bytes; the signed content is `id.timestamp.body`; the
 * header carries one `v1,<base64 HMAC-SHA256>` per secret, space-separated, so a receiver keeps
 * verifying while a secret is being rotated.
 */

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 24;

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = value.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 16;
}

function keyOf(secret: string): Buffer {
  if (!isWebhookSecret(secret)) throw new Error('a webhook secret is whsec_ followed by base64 key bytes');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** The `webhook-signature` header value: one `v1,` signature per secret. */
export function signWebhook(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  const content = `${id}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => 'v1,' + createHmac('sha256', keyOf(secret)).update(content).digest('base64'))
    .join(' ');
}

/** The three headers a signed request carries (besides its content type). */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  nowMs: number = Date.now(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secrets, id, timestamp, body),
  };
}
