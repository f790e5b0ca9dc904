/** The last millisecond nine base-36 digits hold (the year 5188): later times are written as it. */
const MAX_MS = 36 ** 9 - 1;

/**
 * Ids that sort by time as plain strings (chat messages, webhook events) begin with the
 * milliseconds they were made at, as 9 base-36 digits. An id made at or after `ms` sorts at or
 * after this prefix, which lets a store bound a time range by ids (a range's end past the year
 * 5188 is the last prefix, after every id).
 */
export function idTimePrefix(ms: number): string {
  return Math.min(MAX_MS, Math.max(0, Math.floor(ms))).toString(36).padStart(9, '0');
}
