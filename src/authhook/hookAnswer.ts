import type { Role } from '../contracts/chatFrames.js';

/** What the hook is asked about. */
export type HookAction = 'join' | 'publish';

/** The JSON body of a hook request (docs/integrations.md, "Join and publish hook"). */
export interface HookRequest {
  readonly action: HookAction;
  readonly room: string;
  /** The token's `sub`; for an anonymous viewer, the id the server made up for this connection. */
  readonly user: string;
  /** The token's role (an anonymous viewer: viewer). */
  readonly role: Role;
  /** The token's display name, or the name an anonymous viewer asked for. */
  readonly name: string;
  readonly anonymous: boolean;
  /** The client's address (TRUST_PROXY applied). */
  readonly ip: string;
  /** chat for a join; websocket, http, rtmp, whip or srt for a publish. */
  readonly protocol: string;
}

/** An allow as the hook may shape it. */
export interface HookAllow {
  readonly allow: true;
  readonly name?: string;
  readonly role?: Role;
  /** Epoch ms after which the server ends the session. */
  readonly expiresAt?: number;
}

/** Why a join or publish is refused: the hook said no, could not be asked, or allowed it until a time already past. */
export type HookRefusalCode = 'HOOK_DENIED' | 'HOOK_UNAVAILABLE' | 'SESSION_EXPIRED';

export type HookVerdict = HookAllow | { readonly allow: false; readonly code: HookRefusalCode; readonly reason: string };

/** A reason longer than this is cut: it ends up in a close frame and an error message. */
export const MAX_REASON_CHARS = 200;
const MAX_NAME_CHARS = 64;
export const DEFAULT_DENY_REASON = 'The site refused this';

/**
 * Reads a 2xx body. Empty, or a JSON object with optional `name` (a string), `role` (the
 * request's own role or `viewer`: the hook may lower a role, never raise it) and `expiresAt`
 * (epoch milliseconds, or an ISO 8601 date). Anything else is a problem: the failure policy
 * applies, as for a hook that answered nonsense.
 */
export function parseAllow(body: string, requested: Role): HookAllow | { readonly problem: string } {
  if (body.trim() === '') return { allow: true };
  const value = parseObject(body);
  if (value === undefined) return { problem: 'the 2xx body is not a JSON object' };
  const answer: { allow: true; name?: string; role?: Role; expiresAt?: number } = { allow: true };
  if (value.name !== undefined && value.name !== null) {
    if (typeof value.name !== 'string' || value.name.length > MAX_NAME_CHARS) return { problem: `name must be a string of at most ${MAX_NAME_CHARS} characters` };
    answer.name = value.name;
  }
  if (value.role !== undefined && value.role !== null) {
    if (value.role !== requested && value.role !== 'viewer') return { problem: `role may be "${requested}" (the token's) or "viewer", not ${JSON.stringify(value.role)}` };
    answer.role = value.role as Role;
  }
  if (value.expiresAt !== undefined && value.expiresAt !== null) {
    const at = typeof value.expiresAt === 'number' ? value.expiresAt : typeof value.expiresAt === 'string' ? Date.parse(value.expiresAt) : Number.NaN;
    if (!Number.isFinite(at)) return { problem: 'expiresAt must be epoch milliseconds or an ISO 8601 date' };
    answer.expiresAt = at;
  }
  return answer;
}

/** The reason of a 403 body (`{"reason"}`), or a default one. */
export function parseDenyReason(body: string): string {
  const reason = parseObject(body)?.reason;
  if (typeof reason !== 'string' || reason.trim() === '') return DEFAULT_DENY_REASON;
  return reason.trim().slice(0, MAX_REASON_CHARS);
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
