import { hkdfSync } from 'node:crypto';

/**
 * The HS256 key join tokens are signed with, when TOKEN_SECRET is unset: derived from KEY with
 * HKDF-SHA256, so KEY itself never signs anything and the API key and the signing key are
 * separate keys. HKDF is fast: it does not slow down guessing a weak KEY from a token, which
 * is why weak keys are refused in production and TOKEN_SECRET (independent of KEY) exists.
 * docs/api.md gives the same derivation so sites can mint tokens themselves; changing these
 * strings changes every token's key.
 */
export const TOKEN_KEY_DERIVATION = { hash: 'sha256', salt: 'chatserver', info: 'join-token-hs256-v1', bytes: 32 } as const;

export function deriveTokenKey(key: string): Uint8Array {
  const { hash, salt, info, bytes } = TOKEN_KEY_DERIVATION;
  return new Uint8Array(hkdfSync(hash, key, salt, info, bytes));
}

/** TOKEN_SECRET, used as it is (its UTF-8 bytes), as sites using a JWT library expect. */
export function tokenKeyFromSecret(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
