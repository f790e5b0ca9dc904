/**
 * Every WebSocket close code the chat server uses, in one place (docs/protocol.md lists the same,
 * checked by a test). 4000-4999 is the range RFC 6455 leaves to applications.
 */
export const CLOSE = {
  /** The server is shutting down or restarting a worker: reconnect with backoff. */
  GOING_AWAY: { code: 1001, reason: 'server going away' },
  /** A frame over the size cap (sent by ws itself when maxPayload is exceeded). */
  TOO_BIG: { code: 1009, reason: 'frame too big' },
  /** A bug on the server. */
  INTERNAL: { code: 1011, reason: 'internal error' },
  /** The room was closed (deleted by the site or an operator). */
  ROOM_CLOSED: { code: 4000, reason: 'room closed' },
  /** The join token was refused (forged, expired, for another room). */
  AUTH_FAILED: { code: 4001, reason: 'authentication failed' },
  /** No valid join within the join timeout. */
  JOIN_TIMEOUT: { code: 4002, reason: 'join timeout' },
  /** A moderator or an operator removed this user. */
  KICKED: { code: 4003, reason: 'kicked' },
  /** This user is banned from the room or from every room. */
  BANNED: { code: 4004, reason: 'banned' },
  /** The client did not read its messages fast enough: its send buffer passed the bound. */
  SLOW_CONSUMER: { code: 4008, reason: 'slow consumer' },
  /** Repeated flooding after a temporary mute. */
  FLOODING: { code: 4029, reason: 'flooding' },
} as const;

export type CloseName = keyof typeof CLOSE;
