/**
 * Why a listener refuses a caller: the handshake type of a rejection is 1000 + one of these
 * (SRT rejection codes: below 1000 libsrt's own, 1000-1999 the access-control codes that follow
 * HTTP statuses). A caller shows them, e.g. ffmpeg's "connection rejected, reject reason: ...",
 * and srt_getrejectreason() returns the number.
 */
export const SRT_REJECT = {
  /** The listener's backlog of callers in handshake is full (SRT_REJ_BACKLOG). */
  BACKLOG: 5,
  /** A handshake version we do not take: HSv4 carries no stream ID (SRT_REJ_VERSION). */
  VERSION: 8,
  /** The stream ID is not one we can read (SRT_REJX_BAD_REQUEST). */
  BAD_REQUEST: 1400,
  /** No token, or a token that is not valid (SRT_REJX_UNAUTHORIZED). */
  UNAUTHORIZED: 1401,
  /** A valid token that may not publish here, e.g. a viewer's (SRT_REJX_FORBIDDEN). */
  FORBIDDEN: 1403,
  /** The stream ID names another room (SRT_REJX_NOTFOUND). */
  NOT_FOUND: 1404,
  /** The stream ID asks for a mode other than publish (SRT_REJX_BAD_MODE). */
  BAD_MODE: 1405,
  /** Another producer is live in the room (SRT_REJX_CONFLICT). */
  CONFLICT: 1409,
  /** The server failed to start the receiver (SRT_REJX_ISE). */
  INTERNAL: 1500,
  /** This server's ffmpeg has no SRT (SRT_REJX_UNIMPLEMENTED). */
  UNIMPLEMENTED: 1501,
  /** The room is closing (SRT_REJX_DOWN). */
  DOWN: 1503,
} as const;

export type SrtRejectReason = (typeof SRT_REJECT)[keyof typeof SRT_REJECT];
