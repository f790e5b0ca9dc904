/**
 * Arrays of messages kept in id order (a worker's recent messages, pages being merged). Message
 * ids sort by time as plain strings (see chat/messageIds.ts), so a page is a binary search and a
 * slice, whatever the size of the array: no scan, no sort.
 */

export type IdOf<T> = (item: T) => string;

/** Digits of time that begin every message id (chat/messageIds.ts). */
const TIME_DIGITS = 9;

/**
 * The smallest message id of a millisecond: ids begin with their time in base 36, so the ids of
 * the messages sent from `ms` on are exactly those not below this string (a time span is one
 * range of the (room, id) key).
 */
export function firstIdAt(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(TIME_DIGITS, '0');
}

/** The position of the first item whose id is not below `id`: the items before it are older. */
export function lowerBound<T>(sorted: readonly T[], id: string, idOf: IdOf<T>): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (idOf(sorted[middle]!) < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Inserts an item at its place in id order. Ids mostly arrive in order, so this is usually an
 * append. Returns false, inserting nothing, when an item with the same id is there already.
 */
export function insertById<T>(sorted: T[], item: T, idOf: IdOf<T>): boolean {
  const id = idOf(item);
  const last = sorted.at(-1);
  if (last === undefined || idOf(last) < id) {
    sorted.push(item);
    return true;
  }
  const at = lowerBound(sorted, id, idOf);
  if (at < sorted.length && idOf(sorted[at]!) === id) return false;
  sorted.splice(at, 0, item);
  return true;
}

/**
 * Where the page of the newest `limit` items older than `before` (the newest items when
 * `before` is absent) starts and ends: `sorted.slice(start, end)` is the page, oldest first,
 * and `start` items older than it remain.
 */
export function pageBounds<T>(sorted: readonly T[], before: string | undefined, limit: number, idOf: IdOf<T>): { start: number; end: number } {
  const end = before === undefined ? sorted.length : lowerBound(sorted, before, idOf);
  return { start: Math.max(0, end - Math.max(0, limit)), end };
}

/** The newest `limit` of two id-ordered pages of messages, each id once, oldest first. */
export function mergeNewest<T extends { readonly id: string }>(a: readonly T[], b: readonly T[], limit: number): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]!.id <= b[j]!.id) ? a[i++]! : b[j++]!;
    if (merged.at(-1)?.id !== next.id) merged.push(next);
  }
  return merged.slice(-limit);
}
