/** Keys shorter than this are guessable by brute force against the API (or a token, offline). */
export const MIN_KEY_LENGTH = 16;

/** Examples from this project's own docs and the usual placeholders: anyone can try them. */
const WELL_KNOWN = new Set(
  ['TESTING_KEY', 'ADMIN_KEY', 'ADMIN_TESTING_KEY', 'LB_TESTING_KEY', 'KEY', 'changeme', 'change-me', 'secret', 'password', 'admin', 'test', 'key', 'apikey', 'api_key', 'default', '123456', '12345678', 'letmein', 'example'].map((k) => k.toLowerCase()),
);

/** Why a key is weak (well-known or short), or undefined for a key that is neither. */
export function weakKeyReason(value: string): string | undefined {
  if (WELL_KNOWN.has(value.toLowerCase())) return 'is a well-known example value';
  if (value.length < MIN_KEY_LENGTH) return `is shorter than ${MIN_KEY_LENGTH} characters`;
  return undefined;
}
