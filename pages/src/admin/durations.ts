/** The lengths an operator picks for mutes and bans (seconds; null: until lifted, bans only). */
export const DURATIONS = [
  { seconds: 300, label: '5 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days' },
] as const;

/** A moment shown as the operator's local date and time. */
export function formatUntil(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}
