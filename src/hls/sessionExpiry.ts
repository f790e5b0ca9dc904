import { timerAt } from '../kit/timerAt.js';
import type { IngestSession } from './IngestSession.js';

/**
 * Ends the session at `expiresAt` (the site's auth hook allowed the producer until then): it fails
 * with SESSION_EXPIRED, which each transport tells its producer, and the stream ends cleanly. A
 * session settled before then clears the timer; the producer's next publish asks the hook again.
 */
export function expireSessionAt(session: IngestSession, expiresAt: number): void {
  const timer = timerAt(expiresAt, () => session.fail({ code: 'SESSION_EXPIRED', message: `The site allowed this stream until ${new Date(expiresAt).toISOString()}` }));
  void session.settled().then(() => timer.clear());
}
