/**
 * Every WebSocket close code the chat server uses, in one place (docs/protocol.md lists the same,
 * checked by a test). 4000-4999 is the range RFC 6455 leaves to applications.
 */
export const CLOSE = {
  /** Ingest: the producer's stream ended normally. */
  STREAM_ENDED: { code: 1000, reason: 'stream ended' },
  /** The server is shutting down or restarting a worker: reconnect with backoff. */
  GOING_AWAY: { code: 1001, reason: 'server going away' },
  /** Ingest: a text frame where media (binary frames) was expected. */
  UNSUPPORTED_DATA: { code: 1003, reason: 'send media as binary frames' },
  /** A frame over the size cap (sent by ws itself when maxPayload is exceeded). */
  TOO_BIG: { code: 1009, reason: 'frame too big' },
  /** Ingest: the server cannot take this stream now (every encoder slot is busy). Chat: the site's auth hook did not answer (AUTH_HOOK_FAILURE=deny). Try again later. */
  TRY_AGAIN_LATER: { code: 1013, reason: 'try again later' },
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
  /** The site's access check (AUTH_HOOK_URL) refused the join (the `error` frame has its reason). */
  HOOK_DENIED: { code: 4005, reason: 'refused by the site' },
  /** The session was ended from outside (admin API) or its allowed time passed (the `error` frame says which and why). */
  SESSION_ENDED: { code: 4006, reason: 'session ended' },
  /** The client did not read its messages fast enough: its send buffer passed the bound. */
  SLOW_CONSUMER: { code: 4008, reason: 'slow consumer' },
  /** Ingest: a moderator or operator stopped the stream (the `error` frame says who and why); reconnecting is refused for a while. */
  STREAM_STOPPED: { code: 4010, reason: 'stream stopped by a moderator' },
  /** Ingest: the stream is not WebM, MPEG-TS or FLV. */
  MEDIA_UNSUPPORTED: { code: 4015, reason: 'media not supported' },
  /** Ingest: ffmpeg could not turn the stream into HLS (corrupt media, or it crashed). */
  MEDIA_INVALID: { code: 4022, reason: 'media invalid' },
  /** Chat: repeated flooding after a temporary mute. Ingest: over the bitrate or frame-rate cap. */
  FLOODING: { code: 4029, reason: 'flooding' },
} as const;

export type CloseName = keyof typeof CLOSE;
