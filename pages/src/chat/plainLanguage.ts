/**
 * What the chat tells people, in words they use: never a close code ("1006"), a signal name
 * ("SIGTERM") or a protocol term. Close codes and error codes are docs/protocol.md's.
 */
import type { ErrorFrame } from '../../../src/contracts/chatFrames.ts';

/** Close codes the panel answers (src/contracts/closeCodes.ts). */
export const CLOSE_CODES = {
  GOING_AWAY: 1001,
  ABNORMAL: 1006,
  INTERNAL: 1011,
  TRY_AGAIN_LATER: 1013,
  ROOM_CLOSED: 4000,
  AUTH_FAILED: 4001,
  JOIN_TIMEOUT: 4002,
  KICKED: 4003,
  BANNED: 4004,
  HOOK_DENIED: 4005,
  SESSION_ENDED: 4006,
  SLOW_CONSUMER: 4008,
  FLOODING: 4029,
} as const;

/** Closes after which the panel reconnects (and joins again) by itself, with backoff. */
export const RECONNECT_CLOSES: ReadonlySet<number> = new Set([
  CLOSE_CODES.GOING_AWAY,
  CLOSE_CODES.ABNORMAL,
  CLOSE_CODES.INTERNAL,
  CLOSE_CODES.TRY_AGAIN_LATER,
  CLOSE_CODES.SLOW_CONSUMER,
  CLOSE_CODES.FLOODING,
]);

/** The reasons the server gives when a moderator gave none: not worth repeating to the user. */
const DEFAULT_REASONS = new Set(['kicked', 'banned', 'room closed', 'authentication failed', 'session ended', 'refused by the site']);

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function untilText(until: number | null | undefined): string {
  if (until === null || until === undefined) return '';
  const sameDay = new Date(until).toDateString() === new Date().toDateString();
  return ` until ${sameDay ? clockTime(until) : new Date(until).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`;
}

function reasonText(reason: string | null | undefined): string {
  return reason && !DEFAULT_REASONS.has(reason) ? `: ${reason}` : '';
}

/** Why this user is out of the chat after a close the panel does not undo; null for the others. */
export function removalText(code: number, reason: string, bannedUntil: number | null | undefined): string | null {
  switch (code) {
    case CLOSE_CODES.KICKED:
      return `You were removed from the chat by a moderator${reasonText(reason)}. You may join again.`;
    case CLOSE_CODES.BANNED:
      return `You are banned from this chat${untilText(bannedUntil)}${reasonText(reason)}.`;
    case CLOSE_CODES.ROOM_CLOSED:
      return 'This room has closed.';
    case CLOSE_CODES.AUTH_FAILED:
      return 'Your sign-in for this chat is no longer valid. Reload the page from the site to get a new one.';
    case CLOSE_CODES.HOOK_DENIED:
      return `The site did not let you into this chat${reasonText(reason)}.`;
    case CLOSE_CODES.SESSION_ENDED:
      return `Your chat session has ended${reasonText(reason)}.`;
    default:
      return null;
  }
}

/**
 * An error frame as a sentence. `ratePerSecond` is the room's message rate (from `welcome`):
 * a rate-limited sender is told how long to wait.
 */
export function errorText(frame: ErrorFrame, ratePerSecond: number | null): string {
  switch (frame.code) {
    case 'RATE_LIMITED': {
      const wait = ratePerSecond && ratePerSecond > 0 ? Math.max(1, Math.ceil(1 / ratePerSecond)) : 5;
      return `Too many messages. Wait ${wait} s, then send again.`;
    }
    case 'MUTED':
      return `You are muted${untilText(frame.until)}.`;
    case 'BANNED':
      return `You are banned from this chat${untilText(frame.until)}${reasonText(frame.reason)}.`;
    case 'NOT_PERSISTED':
      return 'the server could not save it. Send it again.';
    case 'NAME_TAKEN':
      return 'Somebody in the room has this name (or one that looks the same). Pick another.';
    case 'NAME_INVALID':
      return 'Names are 1 to 32 visible characters.';
    case 'ANONYMOUS_NOT_ALLOWED':
      return 'This chat is for signed-in users only.';
    case 'HISTORY_BUSY':
      return 'Older messages are still loading; try again in a moment.';
    case 'INTERNAL':
      return 'Something went wrong on the server. Try again.';
    default:
      return frame.message;
  }
}
