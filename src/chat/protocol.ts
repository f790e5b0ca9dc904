/**
 * The chat protocol's limits and the validation of client frames (pure). The frames' types are
 * in src/contracts/chatFrames.ts; docs/protocol.md is the readable form of both.
 */
import type { ChatErrorCode } from '../contracts/chatErrors.js';
import type { ClientFrame, Ref } from '../contracts/chatFrames.js';

export const LIMITS = {
  /** Characters in a chat message. */
  maxText: 2000,
  /** Characters in a display name (after cleaning). */
  maxName: 32,
  /** Characters in a client `ref` (echoed back, never interpreted). */
  maxRef: 64,
  /** Characters in a moderation reason. */
  maxReason: 200,
  /** Characters in a join token (a JWT; the site's are a few hundred). */
  maxToken: 4096,
  /** Characters of a `name` as sent, before cleaning cuts it to `maxName`. */
  maxNameInput: 200,
  /** Characters in a user id (a token's `sub`), as kick, mute and ban name it. */
  maxUserId: 128,
  /** Characters in a message id, as `history` names one in `before`. */
  maxMessageId: 64,
  /** Characters of an unknown `type` echoed in the UNKNOWN_TYPE message. */
  maxShownType: 32,
  /** A mute without a duration, in seconds. */
  defaultMuteS: 300,
  /** Bytes in one WebSocket frame; bigger frames close the socket with 1009. */
  maxFrameBytes: 16 * 1024,
  /** Messages in one history page. */
  historyPage: 50,
  /** Most messages one history read returns (the largest `historySize`); the primary clamps reads to it. */
  maxHistoryRead: 500,
  /** History pages of one room being fetched from the primary at once; more get HISTORY_BUSY. */
  historyLookupsPerRoom: 4,
  /** Longest mute or timed ban a moderator may give, in seconds (30 days). */
  maxDurationS: 30 * 24 * 3600,
} as const;

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: ChatErrorCode; message: string; ref?: Ref };

class FieldError extends Error {}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new FieldError(`${field} must be a string of at most ${max} characters`);
  return value;
}

function requiredString(value: unknown, field: string, max: number): string {
  const text = optionalString(value, field, max);
  if (text === undefined || text.length === 0) throw new FieldError(`${field} is required`);
  return text;
}

function duration(value: unknown, fallback: number | null): number | null {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxDurationS) {
    throw new FieldError(`duration must be whole seconds from 1 to ${LIMITS.maxDurationS}`);
  }
  return value;
}

function readRef(value: unknown): Ref | undefined {
  if (typeof value === 'string' && value.length <= LIMITS.maxRef) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** Parses one text frame. Never throws: every problem becomes an error result. */
export function parseClientFrame(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'BAD_FRAME', message: 'The frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'BAD_FRAME', message: 'The frame must be a JSON object' };
  }
  const input = value as Record<string, unknown>;
  const ref = readRef(input.ref);
  const withRef = <T extends object>(frame: T): T & { ref?: Ref } => (ref === undefined ? frame : { ...frame, ref });
  if (input.ref !== undefined && ref === undefined) {
    return { ok: false, code: 'INVALID_FIELD', message: `ref must be a number or a string of at most ${LIMITS.maxRef} characters` };
  }
  try {
    switch (input.type) {
      case 'join':
        return {
          ok: true,
          frame: withRef({ type: 'join', token: optionalString(input.token, 'token', LIMITS.maxToken), name: optionalString(input.name, 'name', LIMITS.maxNameInput) }),
        };
      case 'message':
        if (typeof input.text !== 'string') throw new FieldError('text must be a string');
        return { ok: true, frame: withRef({ type: 'message', text: input.text }) };
      case 'typing':
        return { ok: true, frame: { type: 'typing' } };
      case 'history':
        return { ok: true, frame: withRef({ type: 'history', before: optionalString(input.before, 'before', LIMITS.maxMessageId) }) };
      case 'kick':
        return {
          ok: true,
          frame: withRef({ type: 'kick', user: requiredString(input.user, 'user', LIMITS.maxUserId), reason: optionalString(input.reason, 'reason', LIMITS.maxReason) }),
        };
      case 'mute':
        return {
          ok: true,
          frame: withRef({
            type: 'mute',
            user: requiredString(input.user, 'user', LIMITS.maxUserId),
            duration: duration(input.duration, LIMITS.defaultMuteS) ?? LIMITS.defaultMuteS,
            reason: optionalString(input.reason, 'reason', LIMITS.maxReason),
          }),
        };
      case 'ban': {
        const scope = input.scope ?? 'room';
        if (scope !== 'room' && scope !== 'global') throw new FieldError('scope must be "room" or "global"');
        return {
          ok: true,
          frame: withRef({
            type: 'ban',
            user: requiredString(input.user, 'user', LIMITS.maxUserId),
            duration: duration(input.duration, null),
            scope,
            reason: optionalString(input.reason, 'reason', LIMITS.maxReason),
          }),
        };
      }
      case 'stopStream':
        return { ok: true, frame: withRef({ type: 'stopStream', reason: optionalString(input.reason, 'reason', LIMITS.maxReason) }) };
      case 'ping':
        return { ok: true, frame: withRef({ type: 'ping' }) };
      default: {
        const shown = typeof input.type === 'string' ? input.type.slice(0, LIMITS.maxShownType) : typeof input.type;
        return { ok: false, code: 'UNKNOWN_TYPE', message: `Unknown message type: ${shown}`, ref };
      }
    }
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, code: 'INVALID_FIELD', message: error.message, ref };
    throw error;
  }
}
