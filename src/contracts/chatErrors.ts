/**
 * Codes of the chat `error` frame, in one place (docs/protocol.md lists the same, checked by a
 * test). An error frame never closes the socket by itself; the close codes say when it closes.
 */
export const CHAT_ERRORS = {
  BAD_FRAME: 'The frame is not a JSON object',
  UNKNOWN_TYPE: 'Unknown message type',
  INVALID_FIELD: 'A field is missing or has the wrong type',
  NOT_JOINED: 'Send a join first',
  ALREADY_JOINED: 'This connection has joined already',
  TOKEN_INVALID: 'The token is forged or malformed',
  TOKEN_EXPIRED: 'The token has expired',
  TOKEN_WRONG_ROOM: 'The token is for another room',
  TOKEN_STALE: 'The token is for an earlier room of this name, deleted since',
  TOKEN_REVOKED: "The user's tokens were revoked; ask the site for a new one",
  ANONYMOUS_NOT_ALLOWED: 'This room needs a token to join',
  NAME_INVALID: 'Names are 1-32 visible characters',
  NAME_TAKEN: 'Somebody in the room has this name',
  BANNED: 'You are banned',
  HOOK_DENIED: "The site's access check refused this join",
  HOOK_UNAVAILABLE: "The site's access check did not answer; try again shortly",
  SESSION_EXPIRED: 'The time the site allowed for this session has passed',
  SESSION_ENDED: 'The site or an operator ended this session',
  MUTED: 'You are muted',
  RATE_LIMITED: 'Too many messages; slow down',
  TEXT_EMPTY: 'The message is empty',
  TEXT_TOO_LONG: 'The message is too long',
  BANNED_WORDS: 'The message contains words this room does not allow',
  FORBIDDEN: 'Your role may not do this',
  USER_NOT_FOUND: 'No such user in the room',
  STREAM_NOT_LIVE: 'Nobody is streaming in this room',
  BAN_LIMIT: 'This room has as many bans as it may hold; an operator must lift some first',
  NOT_PERSISTED: 'The message could not be saved; it was not delivered, send it again',
  HISTORY_UNAVAILABLE: 'History could not be loaded; try again',
  HISTORY_BUSY: 'A history request is already being answered; wait for it, then try again',
  INTERNAL: 'Internal error',
} as const;

export type ChatErrorCode = keyof typeof CHAT_ERRORS;
