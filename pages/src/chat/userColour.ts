/**
 * A stable colour per user: a hash of the user id picks one of a palette whose every colour
 * has a contrast of at least 5:1 on the chat's backgrounds (white, and the own-message and
 * mention highlights), above WCAG AA's 4.5:1 for normal text.
 */
export const NAME_PALETTE = ['#b3261e', '#0b57d0', '#146c2e', '#8e24aa', '#a14000', '#006a6a', '#9c2a6b', '#3d5a80', '#7a5900', '#5b3fb0', '#c2185b'] as const;

/** FNV-1a over the id's UTF-16 units: the same id gives the same colour on every page load. */
export function userColour(userId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i += 1) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return NAME_PALETTE[(hash >>> 0) % NAME_PALETTE.length]!;
}
