/** A WebSocket close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 section 5.5). */
export const CLOSE_REASON_BYTES = 123;

/**
 * `reason` cut to fit a close frame: whole characters only, at most 123 UTF-8 bytes. Reasons
 * come from sites (a hook's deny, an operator's end-sessions) in any language: cutting by
 * characters lets a reason in Cyrillic or CJK past the limit, and ws then throws on close.
 */
export function closeReason(reason: string, maxBytes: number = CLOSE_REASON_BYTES): string {
  if (Buffer.byteLength(reason) <= maxBytes) return reason;
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}
