import { DomainError, type DomainErrorCode } from '../contracts/domainErrors.js';
import { ApiError, type ErrorCode } from '../kit/errors.js';

/** The catalog entry a domain error answers with, and its message when the catalog's own would say too little. */
interface Answer {
  readonly code: ErrorCode;
  readonly message?: string | ((error: DomainError) => string);
}

/** What the failure that caused it said (a worker's or the file system's words). */
const causeMessage = (error: DomainError): string => String((error.cause as Error | undefined)?.message);

/** The one table from what went wrong in the core to what the API answers. */
const DOMAIN_ERROR_ANSWERS: Readonly<Record<DomainErrorCode, Answer>> = {
  ROOM_NOT_FOUND: { code: 'ROOM_NOT_FOUND' },
  USER_NOT_FOUND: { code: 'USER_NOT_FOUND' },
  STREAM_NOT_LIVE: { code: 'STREAM_NOT_LIVE' },
  NO_STORED_HISTORY: { code: 'ROOM_NOT_FOUND', message: 'No such room, and no stored messages under that name' },
  NO_PORTS_AVAILABLE: { code: 'NO_PORTS_AVAILABLE' },
  WORKER_UNAVAILABLE: { code: 'WORKER_UNAVAILABLE' },
  ROOM_NOT_STARTED: { code: 'INTERNAL', message: (error) => `Room could not start: ${causeMessage(error)}` },
  STORE_UNAVAILABLE: { code: 'STORE_UNAVAILABLE' },
  RESTART_RUNNING: { code: 'CONFLICT', message: 'A rolling restart is already running' },
  BACKUP_RUNNING: { code: 'CONFLICT', message: 'A backup is already running' },
  BACKUP_UNSUPPORTED: { code: 'BACKUP_UNSUPPORTED' },
  BACKUP_FAILED: { code: 'BACKUP_FAILED', message: (error) => `The backup could not be written: ${causeMessage(error)}` },
  RECORDING_NOT_FOUND: { code: 'RECORDING_NOT_FOUND' },
  RECORDING_IN_PROGRESS: { code: 'RECORDING_IN_PROGRESS' },
  VIEWER_TOKEN_REQUIRED: { code: 'TOKEN_REQUIRED', message: 'This room has no anonymous viewers: send a join token (Authorization: Bearer ...)' },
  VIEWER_TOKEN_REFUSED: { code: 'TOKEN_INVALID', message: (error) => error.message },
  VIEWER_BANNED: { code: 'FORBIDDEN', message: 'You are banned from this room' },
  WEBHOOK_NOT_FOUND: { code: 'WEBHOOK_NOT_FOUND' },
  WEBHOOK_URL_INVALID: { code: 'WEBHOOK_URL_INVALID', message: (error) => error.message },
  WEBHOOK_URL_FORBIDDEN: { code: 'WEBHOOK_URL_FORBIDDEN', message: (error) => error.message },
  WEBHOOK_URL_UNRESOLVED: { code: 'WEBHOOK_URL_UNRESOLVED', message: (error) => error.message },
};

/** The API error a domain error answers as; other errors are not this table's (undefined). */
export function apiErrorFor(error: unknown): ApiError | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const answer = DOMAIN_ERROR_ANSWERS[error.code];
  const message = typeof answer.message === 'function' ? answer.message(error) : answer.message;
  return new ApiError(answer.code, message);
}
