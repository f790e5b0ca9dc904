import type { ChatMessageRecord } from '../contracts/records.js';
import { CHAT_LIMITS } from './chatLimits.js';
import { LIMITS } from './protocol.js';
import { type Ref } from '../contracts/chatFrames.js';
import type { RoomHistory } from './RoomHistory.js';
import type { Connection, FloodResponse, MuteBook, RoomBroadcast, RoomScope } from './roomPorts.js';
import { errorFrame, messageFrame } from './serverFrames.js';
import { type UserView } from '../contracts/chatFrames.js';

/** What the message path needs from its room: where accepted messages are remembered for welcome frames and pages. */
export interface MessageRoom extends RoomScope, RoomBroadcast {
  readonly history: Pick<RoomHistory, 'remember'>;
}

/**
 * A joined user's `message` and `typing` frames. A message is checked (rate, mutes, length,
 * banned words), stored, and only then acknowledged to its sender and sent to everyone else:
 * nobody sees a message the store may lose.
 */
export class MessageFlow {
  readonly #room: MessageRoom;
  readonly #flood: FloodResponse;
  readonly #mutes: MuteBook;
  /** When each connection's last `typing` was passed on; weak, so a closed connection needs no cleanup. */
  readonly #lastTypingAt = new WeakMap<Connection, number>();
  #messageCount = 0;

  constructor(room: MessageRoom, flood: FloodResponse, mutes: MuteBook) {
    this.#room = room;
    this.#flood = flood;
    this.#mutes = mutes;
  }

  /** Messages accepted in this room since it opened in this worker (the admin room list). */
  get messageCount(): number {
    return this.#messageCount;
  }

  async chat(connection: Connection, user: UserView, text: string, ref: Ref | undefined): Promise<void> {
    if (!connection.bucket.take()) return this.#flood.limited(connection, ref);
    const refuse = (...args: Parameters<typeof errorFrame>) => void connection.send(errorFrame(...args));
    const mutedUntil = Math.max(this.#mutes.mutedUntil(user.id), this.#flood.mutedUntil(connection));
    if (mutedUntil > Date.now()) return refuse('MUTED', undefined, ref, { until: mutedUntil });
    if (text.trim().length === 0) return refuse('TEXT_EMPTY', undefined, ref);
    if (text.length > LIMITS.maxText) return refuse('TEXT_TOO_LONG', `Messages are at most ${LIMITS.maxText} characters`, ref);
    const { ctx, name: room } = this.#room;
    const filter = ctx.policy().filter;
    const filtered = filter.apply(text);
    if (filtered.matched && filter.action === 'refuse') return refuse('BANNED_WORDS', undefined, ref);

    const { id, ts } = ctx.ids.next();
    ctx.counters.messagesIn += 1;
    const record: ChatMessageRecord = { room, id, user: user.id, name: user.name, text: filtered.text, ts, ...(ref === undefined ? {} : { ref: JSON.stringify(ref) }) };
    let first: ChatMessageRecord | null;
    try {
      first = await ctx.persist(record);
    } catch (error) {
      ctx.logger.warn({ room, code: (error as { code?: string }).code, reason: (error as Error).message }, 'message not persisted; not delivered');
      return refuse('NOT_PERSISTED', undefined, ref);
    }
    // A resend of a message stored already: its sender gets the first acknowledgement again, nobody a second copy.
    if (first) {
      connection.send(messageFrame(first, ref));
      return;
    }
    this.#messageCount += 1;
    this.#room.history.remember(record);
    // Everyone gets the same bytes; the sender's copy carries its ref as the acknowledgement.
    this.#room.broadcast(messageFrame(record), connection);
    connection.send(messageFrame(record, ref));
  }

  /** Tells the others this user is typing, at most once per typingIntervalMs per connection. */
  typing(connection: Connection, user: UserView): void {
    const now = Date.now();
    if (now - (this.#lastTypingAt.get(connection) ?? 0) < CHAT_LIMITS.typingIntervalMs) return;
    this.#lastTypingAt.set(connection, now);
    this.#room.broadcast({ type: 'typing', user: user.id, name: user.name }, connection);
  }
}
