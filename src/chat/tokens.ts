import { LIMITS } from './protocol.js';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import type { ChatErrorCode } from '../contracts/chatErrors.js';
import { ROLES, type Role } from '../contracts/chatFrames.js';

export interface TokenClaims {
  readonly room: string;
  readonly sub: string;
  readonly name: string;
  readonly role: Role;
  /** The room's epoch (its creation time in ms): a room deleted and created again has a new one. */
  readonly epoch: number;
  /** Issued at, seconds (revocation compares it). */
  readonly iat: number;
  readonly exp: number;
  /** A moderator the site lets ban in every room (`scope: "global"`); only ever true with role moderator. */
  readonly globalModerator: boolean;
}

const ALGORITHM = 'HS256';
export const MAX_TOKEN_TTL_S = 7 * 24 * 3600;
/** How far a token's `iat` may lie ahead of this server's clock (a site's clock may run a little fast). */
const MAX_CLOCK_SKEW_S = 60;

/**
 * Signs a join token (HS256 with the token key: TOKEN_SECRET or the one derived from KEY, never
 * KEY itself). Sites may mint the same JWT themselves (docs/api.md). `globalModerator` (moderators
 * only) lets the token ban in every room.
 */
export async function signRoomToken(
  key: Uint8Array,
  claims: Omit<TokenClaims, 'exp' | 'iat' | 'globalModerator'> & { globalModerator?: boolean },
  ttlSeconds: number,
): Promise<string> {
  const extra = claims.globalModerator ? { globalModerator: true } : {};
  return new SignJWT({ room: claims.room, name: claims.name, role: claims.role, epoch: claims.epoch, ...extra })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; code: ChatErrorCode; message: string };

/** The room a token must be for: its name and its current epoch. */
export interface TokenAudience {
  readonly room: string;
  readonly epoch: number;
}

/**
 * The `room` claim of a token, unverified: which room's audience to verify it against when
 * nothing else says (the shared RTMP port gets a bare stream key). Undefined for junk.
 */
export function claimedRoom(token: string): string | undefined {
  try {
    const room = decodeJwt(token).room;
    return typeof room === 'string' ? room : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies signature, expiry, claim types, the room and the room's epoch. */
export async function verifyRoomToken(key: Uint8Array, token: string, audience: TokenAudience): Promise<VerifyResult> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], requiredClaims: ['exp', 'sub', 'iat'] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, code: 'TOKEN_EXPIRED', message: 'The token has expired' };
    return { ok: false, code: 'TOKEN_INVALID', message: 'The token is forged or malformed' };
  }
  const { sub, name, role, exp, iat, epoch } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > LIMITS.maxUserId || typeof name !== 'string' || typeof exp !== 'number' || typeof iat !== 'number' || !ROLES.includes(role as Role)) {
    return { ok: false, code: 'TOKEN_INVALID', message: 'The token lacks sub, name, iat or a valid role' };
  }
  // A token issued in the future could never be revoked (revocations refuse tokens issued before them).
  if (iat > Date.now() / 1000 + MAX_CLOCK_SKEW_S) {
    return { ok: false, code: 'TOKEN_INVALID', message: 'The token is issued in the future (iat); check the clock of whoever minted it' };
  }
  if (exp - iat > MAX_TOKEN_TTL_S) {
    return { ok: false, code: 'TOKEN_INVALID', message: `The token lives longer than ${MAX_TOKEN_TTL_S} s (exp - iat)` };
  }
  if (payload.room !== audience.room) return { ok: false, code: 'TOKEN_WRONG_ROOM', message: `The token is for another room, not ${audience.room}` };
  if (typeof epoch !== 'number') return { ok: false, code: 'TOKEN_INVALID', message: "The token lacks the room's epoch claim (GET /api/v1/room/:name gives it)" };
  if (epoch !== audience.epoch) {
    return { ok: false, code: 'TOKEN_STALE', message: `The token is for an earlier room named ${audience.room} (deleted since)` };
  }
  const globalModerator = role === 'moderator' && payload.globalModerator === true;
  return { ok: true, claims: { room: audience.room, sub, name, role: role as Role, epoch, iat, exp, globalModerator } };
}
