import { StreamBusyError, StreamRefusedError } from '../hls/ProducerSlot.js';
import { ERRORS } from '../kit/errors.js';

/** Why the room's producer slot was refused, in the error catalog's terms; each transport says it in its protocol. */
export interface ClaimRefusal {
  readonly status: number;
  readonly code: 'STREAM_BUSY' | 'STREAM_STOPPED_BY_MODERATOR' | 'STREAM_STOPPED';
  readonly message: string;
}

/** What LiveStream.claim() threw, as one refusal for every ingest path: busy, a stopped producer, or a closing room. */
export function claimRefusal(error: unknown): ClaimRefusal {
  if (error instanceof StreamBusyError) return { status: ERRORS.STREAM_BUSY.status, code: 'STREAM_BUSY', message: error.message };
  if (error instanceof StreamRefusedError) return { status: ERRORS.STREAM_STOPPED_BY_MODERATOR.status, code: 'STREAM_STOPPED_BY_MODERATOR', message: error.message };
  return { status: ERRORS.STREAM_STOPPED.status, code: 'STREAM_STOPPED', message: ERRORS.STREAM_STOPPED.message };
}
