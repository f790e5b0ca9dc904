import { errors, jwtVerify, SignJWT } from 'jose';
import type { ChatErrorCode } from './chatErrors.js';
import { ROLES, type Role } from './serverFrames.js';

export interface TokenClaims {
  readonly room: string;
  readonly sub: string;
  readonly name: string;
  readonly role: Role;
  readonly exp: number;
  /** A moderator the site lets ban in every room (`scope: "global"`); only ever true with role moderator. */
  readonly globalModerator: boolean;
}

const ALGORITHM = 'HS256';
export const MAX_TOKEN_TTL_S = 7 * 24 * 3600;

/** The HMAC key for KEY, encoded once per process rather than per token. */
export function tokenSecret(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs a join token (HS256 with KEY). Sites may mint the same JWT themselves. */
export async function signRoomToken(secret: string, claims: Omit<TokenClaims, 'exp' | 'globalModerator'> & { globalModerator?: boolean }, ttlSeconds: number): Promise<string> {
  const extra = claims.globalModerator ? { globalModerator: true } : {};
  return new SignJWT({ room: claims.room, name: claims.name, role: claims.role, ...extra })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(tokenSecret(secret));
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; code: ChatErrorCode; message: string };

/** Verifies signature, expiry, claim types and the room. */
export async function verifyRoomToken(secret: Uint8Array, token: string, room: string): Promise<VerifyResult> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret, { algorithms: [ALGORITHM], requiredClaims: ['exp', 'sub'] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, code: 'TOKEN_EXPIRED', message: 'The token has expired' };
    return { ok: false, code: 'TOKEN_INVALID', message: 'The token is forged or malformed' };
  }
  const { sub, name, role, exp } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128 || typeof name !== 'string' || typeof exp !== 'number' || !ROLES.includes(role as Role)) {
    return { ok: false, code: 'TOKEN_INVALID', message: 'The token lacks sub, name or a valid role' };
  }
  if (payload.room !== room) return { ok: false, code: 'TOKEN_WRONG_ROOM', message: `The token is for another room, not ${room}` };
  const globalModerator = role === 'moderator' && payload.globalModerator === true;
  return { ok: true, claims: { room, sub, name, role: role as Role, exp, globalModerator } };
}
