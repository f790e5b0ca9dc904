/**
 * How the core (the primary's rooms, chat administration, history, backups and switches)
 * reports an operation that failed in a way its caller must hear about. The core says what
 * went wrong, never how to answer it: the HTTP layer maps each code to a status and a catalog
 * entry in one table (http/domainErrors.ts).
 */
export const DOMAIN_ERRORS = {
  ROOM_NOT_FOUND: 'No room of that name on this server',
  USER_NOT_FOUND: 'The user is not in the room',
  STREAM_NOT_LIVE: 'Nobody is streaming in the room',
  NO_STORED_HISTORY: 'No such room, and no stored messages under that name',
  NO_PORTS_AVAILABLE: 'Every port in ROOM_PORTS is taken',
  WORKER_UNAVAILABLE: 'No room worker is ready to take or reach the room',
  ROOM_NOT_STARTED: 'The worker could not start the room',
  STORE_UNAVAILABLE: 'The store did not take a write or answer a read',
  RESTART_RUNNING: 'A rolling restart is already running',
  BACKUP_RUNNING: 'A backup is already running',
  BACKUP_UNSUPPORTED: 'This store is not backed up by the server (MongoDB: mongodump)',
  BACKUP_FAILED: 'The backup could not be written',
  RECORDING_NOT_FOUND: 'No recording of that id in the room',
  RECORDING_IN_PROGRESS: 'The recording is still being made',
  VIEWER_TOKEN_REQUIRED: 'The room has no anonymous viewers and no token was given',
  VIEWER_TOKEN_REFUSED: 'The viewer token is forged, expired, revoked or for another room',
  VIEWER_BANNED: 'The token holder is banned from the room',
  WEBHOOK_NOT_FOUND: 'No webhook endpoint of that id',
  WEBHOOK_URL_INVALID: 'The webhook URL is not an absolute http(s) URL without credentials',
  WEBHOOK_URL_FORBIDDEN: 'The webhook URL resolves to an address webhooks may not reach',
  WEBHOOK_URL_UNRESOLVED: "The webhook URL's host name does not resolve",
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

/** A failure of the core, by code; `message` says more (which room, what the store said). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string = DOMAIN_ERRORS[code],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}
