import { LIMITS } from './protocol.js';

/**
 * Cleans a display name: control and format characters (including bidi overrides and
 * zero-width characters) removed, whitespace runs collapsed, trimmed. Returns undefined when
 * nothing visible is left or the result is too long.
 */
export function cleanName(raw: string): string | undefined {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (cleaned.length === 0 || [...cleaned].length > LIMITS.maxName) return undefined;
  return cleaned;
}

/** Names compare without case, so "Ann" and "ann" cannot both be in a room. */
export function nameKey(name: string): string {
  return name.toLocaleLowerCase('en');
}
