import { hkdfSync } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * The signing key a site derives from KEY to mint join tokens itself, written out exactly as
 * docs/api.md gives it (not imported from src/, so a change to the server's derivation that
 * the docs do not follow fails the tests).
 */
export function siteTokenKey(key: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', key, 'chatserver', 'join-token-hs256-v1', 32));
}

export interface SiteClaims {
  room: string;
  sub: string;
  name?: string;
  role?: 'viewer' | 'producer' | 'moderator';
  epoch?: number;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

/** A join token minted the way docs/api.md tells a site to. */
export function siteToken(signingKey: Uint8Array, claims: SiteClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ room: claims.room, name: claims.name ?? claims.sub, role: claims.role ?? 'viewer', ...(claims.epoch === undefined ? {} : { epoch: claims.epoch }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now - (claims.expiresIn !== undefined && claims.expiresIn < 0 ? 60 : 0))
    .setExpirationTime(now + (claims.expiresIn ?? 3600))
    .sign(signingKey);
}
