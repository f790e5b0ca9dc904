/** How values are written in a playlist (RFC 8216bis §4.2), checked so a bad value is an error, never a broken playlist. */

/**
 * Seconds with 5 decimals: EXTINF and part durations to the nearest (accurate enough that sums
 * do not drift, §4.4.4.1); the minimums the RFC sets (PART-TARGET at least every part, hold-backs
 * at least their multiples) rounded up so the printed value never falls below the rule.
 */
export function seconds(value: number, rounding: 'nearest' | 'up'): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`a duration must be a non-negative number of seconds (got ${value})`);
  const scaled = value * 100_000;
  return ((rounding === 'up' ? Math.ceil(scaled - 1e-6) : Math.round(scaled)) / 100_000).toFixed(5);
}

/** ISO 8601 with milliseconds and `Z` (§4.4.4.6), to the nearest millisecond. */
export function dateTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`a program date-time must be ms since the epoch (got ${ms})`);
  return new Date(Math.round(ms)).toISOString();
}

/** A quoted-string may hold neither a double quote nor a line break (§4.2). */
export function quoted(value: string, what: string): string {
  if (value === '' || /["\r\n]/.test(value)) throw new RangeError(`${what} must be non-empty, without quotes or line breaks (got ${JSON.stringify(value)})`);
  return `"${value}"`;
}

/** A URI line: one line, and not one a parser would read as a tag or comment. */
export function uriLine(uri: string): string {
  if (uri === '' || uri.startsWith('#') || /[\r\n]/.test(uri)) throw new RangeError(`a URI must be one non-empty line not starting with # (got ${JSON.stringify(uri)})`);
  return uri;
}
