import type { IncomingMessage } from 'node:http';
import type { TokenClaims, VerifyResult } from '../chat/tokens.js';
import { ERRORS, type ErrorCode } from '../kit/errors.js';

export type IngestAuth = { ok: true; claims: TokenClaims } | { ok: false; status: number; code: ErrorCode; message: string };

function refuse(code: ErrorCode, message: string = ERRORS[code].message): IngestAuth {
  return { ok: false, status: ERRORS[code].status, code, message };
}

/** The token from `?token=` or `Authorization: Bearer` (for clients that can set headers). */
export function ingestToken(req: IncomingMessage): string | null {
  const query = new URL(req.url ?? '/', 'http://room.invalid').searchParams.get('token');
  if (query) return query;
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** Only a producer token for this room may stream (a viewer or moderator token gets 403). */
export async function authorizeProducer(req: IncomingMessage, room: { verifyToken(token: string): Promise<VerifyResult> }): Promise<IngestAuth> {
  return authorizeProducerToken(ingestToken(req), room);
}

/** The check behind authorizeProducer, for a token from elsewhere (an RTMP stream key). */
export async function authorizeProducerToken(token: string | null, room: { verifyToken(token: string): Promise<VerifyResult> }): Promise<IngestAuth> {
  if (!token) return refuse('TOKEN_REQUIRED');
  const verified = await room.verifyToken(token);
  if (!verified.ok) return refuse('TOKEN_INVALID', verified.message);
  if (verified.claims.role !== 'producer') {
    return refuse('FORBIDDEN', `A ${verified.claims.role} token may not stream; ask for a producer token`);
  }
  return { ok: true, claims: verified.claims };
}
