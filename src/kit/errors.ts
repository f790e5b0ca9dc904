/**
 * The one catalog of API error codes and their HTTP statuses. Every JSON error body is
 * `{"error":{"code","message"}}`; docs/api.md lists the same codes (checked by a test).
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  SDP_INVALID: { status: 400, message: 'The body is not an SDP offer a WebRTC client would send' },
  INVALID_ROOM_NAME: { status: 400, message: 'Room names are 1-64 characters of A-Z, a-z, 0-9, _ and -' },
  WEBHOOK_URL_INVALID: { status: 400, message: 'Webhook URLs are absolute http(s) URLs without credentials' },
  WEBHOOK_URL_FORBIDDEN: { status: 400, message: 'The webhook URL resolves to a loopback, private, link-local or metadata address, or to this server (WEBHOOK_ALLOW_PRIVATE=1 allows private ones)' },
  WEBHOOK_URL_UNRESOLVED: { status: 400, message: "The webhook URL's host name does not resolve" },
  UNAUTHORIZED: { status: 401, message: 'Missing or wrong X-API-Key' },
  TOKEN_REQUIRED: { status: 401, message: 'A producer token is required (?token=... or Authorization: Bearer ...)' },
  TOKEN_INVALID: { status: 401, message: 'The token is forged, expired or for another room' },
  FORBIDDEN: { status: 403, message: "The token's role may not do this" },
  HOOK_DENIED: { status: 403, message: "The site's access check (auth hook) refused this" },
  SESSION_EXPIRED: { status: 403, message: 'The time the site allowed for this session has passed' },
  STREAM_STOPPED_BY_MODERATOR: { status: 403, message: 'A moderator or operator stopped this stream; the producer may not stream again for a while' },
  NOT_FOUND: { status: 404, message: 'No such route' },
  ROOM_NOT_FOUND: { status: 404, message: 'No such room' },
  SERVER_NOT_FOUND: { status: 404, message: 'No such chat server: register again' },
  USER_NOT_FOUND: { status: 404, message: 'That user is not in the room' },
  RECORDING_NOT_FOUND: { status: 404, message: 'No such recording in this room' },
  THUMBNAIL_NOT_READY: { status: 404, message: 'The room is not live, or no poster frame was taken yet' },
  WEBHOOK_NOT_FOUND: { status: 404, message: 'No such webhook endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this route' },
  OFFER_NOT_ACCEPTABLE: { status: 406, message: 'The offer has no H.264 video this server can take (and Opus for audio)' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request body did not arrive in time' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  STREAM_BUSY: { status: 409, message: 'Another producer is live in this room' },
  STREAM_NOT_LIVE: { status: 409, message: 'Nobody is streaming in this room' },
  RECORDING_IN_PROGRESS: { status: 409, message: 'The recording is still being made: stop the stream first' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested byte range is outside the file' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send JSON (Content-Type: application/json)' },
  MEDIA_UNSUPPORTED: { status: 415, message: 'The stream is not WebM, MPEG-TS or FLV' },
  MEDIA_INVALID: { status: 422, message: 'ffmpeg could not turn the stream into HLS' },
  KEYFRAMES_TOO_SPARSE: { status: 422, message: "The stream's keyframes are too far apart for live HLS" },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INGEST_TOO_FAST: { status: 429, message: 'The producer sends faster than this server takes (bitrate, frames per second, or past backpressure)' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  BACKUP_FAILED: { status: 500, message: 'The backup could not be written' },
  BACKUP_UNSUPPORTED: { status: 501, message: 'The MongoDB store is backed up with mongodump, not by this server' },
  UPSTREAM_FAILED: { status: 502, message: 'The chat server did not answer as expected' },
  NOT_ACCEPTING: { status: 503, message: 'The server is draining and does not accept new rooms' },
  NO_PORTS_AVAILABLE: { status: 503, message: 'Every port in ROOM_PORTS is taken' },
  WORKER_UNAVAILABLE: { status: 503, message: 'No room worker is ready; try again shortly' },
  HOOK_UNAVAILABLE: { status: 503, message: "The site's access check (auth hook) did not answer; try again shortly" },
  STORE_UNAVAILABLE: { status: 503, message: 'The data store did not answer; try again shortly' },
  ENCODER_BUSY: { status: 503, message: 'The server encodes as many streams as it may; send H.264 or try again later' },
  FFMPEG_UNAVAILABLE: { status: 503, message: 'No ffmpeg binary was found on the server' },
  STREAM_STOPPED: { status: 503, message: 'The room closed while the stream was live' },
  HLS_NOT_READY: { status: 503, message: 'The playlist update or part a blocking HLS request waits for did not come in time' },
  LIVE_FEED_FULL: { status: 503, message: 'Too many clients follow the live listing; try again shortly' },
  HLS_BUSY: { status: 503, message: 'Too many blocking HLS requests are held in this room' },
  NO_SERVER_AVAILABLE: { status: 503, message: 'No chat server can take a room now' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error that becomes a JSON error response with the catalog's status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERRORS[code].status;
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
