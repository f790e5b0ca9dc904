import {
  MongoBulkWriteError,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoWriteConcernError,
} from 'mongodb';

/**
 * Server error codes that say MongoDB could not do the work now rather than that it refuses it:
 * a node unreachable or shutting down, a failover under way, a time limit (a write concern
 * waiting for a missing secondary). The driver's own list of these is internal, hence the copy.
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernTimeout (WriteConcernFailed before 8.1): w:'majority' not reached within wtimeoutMS
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Labels that mark a failure worth trying again later. 'NetworkError' is not in this driver's MongoErrorLabel; servers and other driver versions set it. */
const TRANSIENT_LABELS = [MongoErrorLabel.RetryableWriteError, 'NetworkError'];

/**
 * Whether a MongoDB failure is an outage (the write goes to the local journal and is replayed
 * later) rather than a refusal that would fail the same way every time (a document too large,
 * a failed validation: the write is refused to its caller, or set aside in a replay, and
 * MongoDB stays up). Only what the driver says about reaching the server counts as an outage:
 * anything else, retried, would keep the store going down and up with the journal growing.
 */
export function isMongoOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError || error instanceof MongoOperationTimeoutError) return true;
  if (error instanceof MongoError && TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label))) return true;
  if (error instanceof MongoWriteConcernError && isTransientCode(error.result.writeConcernError.code)) return true;
  if (error instanceof MongoBulkWriteError) {
    // A bulk write wraps what failed it: a driver error (the network) or the write concern's.
    const wrapped: unknown = error.errorResponse;
    if (wrapped !== error && wrapped instanceof Error && isMongoOutage(wrapped)) return true;
    if (error.err && isTransientCode(error.err.code)) return true;
  }
  if (error instanceof MongoServerError && isTransientCode(error.code)) return true;
  return error.cause !== undefined && error.cause !== error && isMongoOutage(error.cause);
}

function isTransientCode(code: unknown): boolean {
  return typeof code === 'number' && TRANSIENT_CODES.has(code);
}
