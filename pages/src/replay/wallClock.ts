/**
 * The wall-clock time of a recording's playback position: the EXT-X-PROGRAM-DATE-TIME of the
 * segment that holds it plus how far into the segment it is. hls.js gives every segment a date
 * from the nearest EXT-X-PROGRAM-DATE-TIME before it (the first segment's, and each one after a
 * discontinuity), so the time stays right across a producer that came back.
 */
export interface DatedFragment {
  readonly start: number;
  readonly programDateTime: number | null;
}

export function wallClockAt(fragments: readonly DatedFragment[], t: number): number | null {
  let found: DatedFragment | undefined;
  for (const fragment of fragments) {
    if (fragment.start > t) break;
    found = fragment;
  }
  found ??= fragments[0];
  if (!found || found.programDateTime === null || !Number.isFinite(found.programDateTime)) return null;
  return found.programDateTime + (t - found.start) * 1000;
}

/** How many of `messages` (oldest first) have `ts <= at`: a binary search. */
export function countUpTo(messages: ReadonlyArray<{ readonly ts: number }>, at: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (messages[middle]!.ts <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}
