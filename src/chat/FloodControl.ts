import type { ChatClient } from './ChatClient.js';
import type { ChatRoom } from './ChatRoom.js';
import type { Ref } from '../contracts/chatFrames.js';

/** Rate-limited frames within STRIKE_WINDOW_MS that count as abuse. */
const STRIKES_TO_ESCALATE = 8;
const STRIKE_WINDOW_MS = 10_000;
const FLOOD_MUTE_MS = 30_000;

/**
 * What happens to a client over its rate limit: an `error` RATE_LIMITED each time; repeated
 * abuse gets a temporary mute, and abuse after that mute a disconnect (close 4029).
 */
export class FloodControl {
  readonly #room: ChatRoom;

  constructor(room: ChatRoom) {
    this.#room = room;
  }

  limited(client: ChatClient, ref?: Ref): void {
    const now = Date.now();
    if (now - client.lastStrikeAt > STRIKE_WINDOW_MS) client.strikes = 0;
    client.strikes += 1;
    client.lastStrikeAt = now;
    if (client.strikes < STRIKES_TO_ESCALATE) {
      this.#room.ctx.counters.rateLimited += 1;
      this.#room.sendError(client, 'RATE_LIMITED', undefined, ref);
      return;
    }
    client.strikes = 0;
    if (client.floodMutes === 0) {
      client.floodMutes = 1;
      client.mutedUntil = now + FLOOD_MUTE_MS;
      this.#room.ctx.logger.info({ room: this.#room.name, user: client.user?.id, ip: client.ip }, 'flooding client muted');
      this.#room.sendError(client, 'MUTED', `Muted for ${FLOOD_MUTE_MS / 1000} s for flooding`, ref, { until: client.mutedUntil });
      return;
    }
    this.#room.ctx.logger.info({ room: this.#room.name, user: client.user?.id, ip: client.ip }, 'flooding client disconnected');
    client.close('FLOODING');
  }
}
