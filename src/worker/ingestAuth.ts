import type { IncomingMessage } from 'node:http';
import type { AuthHook } from '../authhook/AuthHook.js';
import type { TokenClaims, VerifyResult } from '../chat/tokens.js';
import type { IngestProtocol } from '../contracts/ingest.js';
import { ERRORS, type ErrorCode } from '../kit/errors.js';

/** A producer allowed to stream, until `expiresAt` when the site's hook set one. */
export type IngestAuth =
  | { ok: true; claims: TokenClaims; expiresAt: number | undefined }
  | { ok: false; status: number; code: ErrorCode; message: string };

/** What the producer check needs of its room. */
export interface ProducerGate {
  readonly name: string;
  /** Checks a token against the room: signature, expiry, room, epoch, revocations. */
  verifyToken(token: string): Promise<VerifyResult>;
  /** The site's join and publish hook (AUTH_HOOK_URL); undefined when none is configured. */
  readonly authHook: Pick<AuthHook, 'check'> | undefined;
}

/** Who asks to publish, for the hook: the client's address and the ingest protocol. */
export interface Publisher {
  readonly ip: string;
  readonly protocol: IngestProtocol;
}

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
export async function authorizeProducer(req: IncomingMessage, room: ProducerGate, publisher: Publisher): Promise<IngestAuth> {
  return authorizeProducerToken(ingestToken(req), room, publisher);
}

/**
 * The check behind authorizeProducer, for a token from elsewhere (an RTMP stream key, an SRT
 * stream ID): every ingest protocol authorises its producer here. The token first, then the
 * site's hook when one is configured (a refusal's reason is the hook's; a role lowered to
 * viewer cannot stream).
 */
export async function authorizeProducerToken(token: string | null, room: ProducerGate, publisher: Publisher): Promise<IngestAuth> {
  if (!token) return refuse('TOKEN_REQUIRED');
  const verified = await room.verifyToken(token);
  if (!verified.ok) return refuse('TOKEN_INVALID', verified.message);
  const claims = verified.claims;
  if (claims.role !== 'producer') {
    return refuse('FORBIDDEN', `A ${claims.role} token may not stream; ask for a producer token`);
  }
  if (room.authHook === undefined) return { ok: true, claims, expiresAt: undefined };
  const verdict = await room.authHook.check({
    action: 'publish',
    room: room.name,
    user: claims.sub,
    role: claims.role,
    name: claims.name,
    anonymous: false,
    ip: publisher.ip,
    protocol: publisher.protocol,
  });
  if (!verdict.allow) return refuse(verdict.code, verdict.reason);
  if (verdict.role === 'viewer') return refuse('HOOK_DENIED', 'The site lets this user watch, not stream');
  return { ok: true, claims, expiresAt: verdict.expiresAt };
}
