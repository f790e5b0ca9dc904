/**
 * Ids that sort by time as plain strings (chat messages, webhook events) begin with the
 * milliseconds they were made at, as 9 base-36 digits (good until the year 5188). An id made at
 * or after `ms` sorts at or after this prefix, which lets a store bound a time range by ids.
 */
export function idTimePrefix(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(9, '0');
}
