import { timerAt, type TimerAt } from '../kit/timerAt.js';
import type { Connection } from './roomPorts.js';
import { errorFrame } from './serverFrames.js';

/**
 * Chat connections the site's hook allowed until a time (its `expiresAt`): each is told
 * SESSION_EXPIRED and closed (4006) then. One timer per such connection; none for the others.
 */
export class SessionExpiry {
  readonly #timers = new Map<Connection, TimerAt>();

  arm(connection: Connection, expiresAt: number): void {
    this.forget(connection);
    const message = `The site allowed this session until ${new Date(expiresAt).toISOString()}`;
    this.#timers.set(
      connection,
      timerAt(expiresAt, () => {
        this.#timers.delete(connection);
        connection.send(errorFrame('SESSION_EXPIRED', message));
        connection.close('SESSION_ENDED', 'session expired');
      }),
    );
  }

  /** The connection closed. */
  forget(connection: Connection): void {
    this.#timers.get(connection)?.clear();
    this.#timers.delete(connection);
  }
}
