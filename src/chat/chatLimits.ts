/**
 * The chat server's own limits: fixed numbers the protocol does not promise to clients (those are
 * LIMITS in protocol.ts) and the operator does not tune (those are in the config). Kept in one
 * place so a reader finds every threshold of a room's parts without reading their code.
 */
export const CHAT_LIMITS = {
  /** Every frame, whatever its type, is rate limited at this many times the chat rate... */
  frameRateFactor: 4,
  /** ...and at least this many frames a second: pings and typing must not trip a strict chat rate. */
  minFrameRate: 20,
  /** The burst of that frame bucket, at least. */
  minFrameBurst: 40,
  /** Rate-limited frames within strikeWindowMs that count as abuse (a flood mute, then a disconnect). */
  strikesToEscalate: 8,
  /** Strikes older than this are forgotten: a client that slows down starts afresh. */
  strikeWindowMs: 10_000,
  /** How long a flooding connection is muted before a further flood closes it (4029). */
  floodMuteMs: 30_000,
  /** A connection's `typing` frames are passed on at most once per this interval. */
  typingIntervalMs: 2_000,
  /** How often connections that have not joined yet are checked against the join timeout. */
  joinSweepMs: 1_000,
  /** How long a client whose close frame is stuck behind a full buffer gets before the socket is destroyed. */
  closeGraceMs: 2_000,
  /** Names of signed-in users a room remembers after they leave; the oldest is forgotten first. */
  maxReservedNames: 10_000,
} as const;
