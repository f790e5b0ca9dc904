/**
 * Secrets kept out of log lines. Two layers: pino's `redact` for fields known to hold them
 * (headers, token and key fields), and a scrub of every finished line for secrets inside
 * free text (a URL's `?token=`, a JWT in an error message, a Bearer header, the keys
 * themselves), which no field list can foresee.
 */

/** Field paths pino replaces with the censor, wherever a component logs them. */
export const REDACT_PATHS = [
  'key',
  'adminKey',
  'token',
  'tokenKey',
  'secret',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.token',
  '*.authorization',
  '*["x-api-key"]',
];

export const CENSOR = '[redacted]';

/** Query parameters whose values are secrets (`?token=`, `&key=`, ...), up to the next delimiter. */
const SECRET_QUERY = /([?&;](?:token|key|api[_-]?key|access[_-]?token|secret|password)=)[^&#\s"'\\]+/gi;
/** A JWT (header and payload are base64url JSON, so both start with `eyJ`). */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(Bearer\s+)[^\s"'\\]+/gi;
const API_KEY_HEADER = /(x-api-key["']?\s*[:=]\s*["']?)[^\s"',}\\]+/gi;

/** Keys shorter than this are not scrubbed literally: they would match ordinary words. */
const MIN_LITERAL_SECRET = 8;

/** Returns the text with every secret it recognises replaced by the censor. */
export function scrubSecrets(text: string, literals: readonly string[] = []): string {
  let out = text.replace(SECRET_QUERY, `$1${CENSOR}`).replace(JWT, CENSOR).replace(BEARER, `$1${CENSOR}`).replace(API_KEY_HEADER, `$1${CENSOR}`);
  for (const secret of literals) {
    if (secret.length >= MIN_LITERAL_SECRET && out.includes(secret)) out = out.split(secret).join(CENSOR);
  }
  return out;
}
