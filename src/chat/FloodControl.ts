import { CHAT_LIMITS } from './chatLimits.js';
import type { Ref } from '../contracts/chatFrames.js';
import type { Connection, FloodResponse, RoomScope } from './roomPorts.js';
import { errorFrame } from './serverFrames.js';

/** A connection's record of abuse; made at its first rate-limited frame, so quiet connections cost nothing. */
interface Strikes {
  count: number;
  lastAt: number;
  /** Flood mutes given so far: the first flood mutes, the next one disconnects. */
  floodMutes: number;
  mutedUntil: number;
}

/**
 * What happens to a connection over its rate limit: an `error` RATE_LIMITED each time; repeated
 * abuse (CHAT_LIMITS.strikesToEscalate within strikeWindowMs) gets a temporary mute, and abuse
 * after that mute a disconnect (close 4029). The strikes are kept here, by connection.
 */
export class FloodControl implements FloodResponse {
  readonly #room: RoomScope;
  /** Weak: a closed connection's strikes go with it, with no cleanup to forget. */
  readonly #strikes = new WeakMap<Connection, Strikes>();

  constructor(room: RoomScope) {
    this.#room = room;
  }

  limited(connection: Connection, ref?: Ref): void {
    const now = Date.now();
    let strikes = this.#strikes.get(connection);
    if (!strikes) {
      strikes = { count: 0, lastAt: 0, floodMutes: 0, mutedUntil: 0 };
      this.#strikes.set(connection, strikes);
    }
    if (now - strikes.lastAt > CHAT_LIMITS.strikeWindowMs) strikes.count = 0;
    strikes.count += 1;
    strikes.lastAt = now;
    const { ctx, name } = this.#room;
    if (strikes.count < CHAT_LIMITS.strikesToEscalate) {
      ctx.counters.rateLimited += 1;
      connection.send(errorFrame('RATE_LIMITED', undefined, ref));
      return;
    }
    strikes.count = 0;
    if (strikes.floodMutes === 0) {
      strikes.floodMutes = 1;
      strikes.mutedUntil = now + CHAT_LIMITS.floodMuteMs;
      ctx.logger.info({ room: name, user: connection.user?.id, ip: connection.ip }, 'flooding client muted');
      connection.send(errorFrame('MUTED', `Muted for ${CHAT_LIMITS.floodMuteMs / 1000} s for flooding`, ref, { until: strikes.mutedUntil }));
      return;
    }
    ctx.logger.info({ room: name, user: connection.user?.id, ip: connection.ip }, 'flooding client disconnected');
    connection.close('FLOODING');
  }

  mutedUntil(connection: Connection): number {
    return this.#strikes.get(connection)?.mutedUntil ?? 0;
  }
}
