import { setImmediate as nextTurn } from 'node:timers/promises';
import { DomainError } from '../contracts/domainErrors.js';
import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';
import type { ChatMessageRecord } from '../contracts/records.js';
import type { MessageCommitter } from './MessageCommitter.js';

/** Messages per store read of an export, and per store write of a delete. */
const PAGE = 500;

export interface HistoryAdminOptions {
  readonly store: Store;
  /** Messages taken before a delete are committed first, so the delete covers every message sent before it. */
  readonly messages: Pick<MessageCommitter, 'flush' | 'forgetRoom'>;
  readonly roomExists: (room: string) => boolean;
  /** Tells the room's worker to drop the recent messages it keeps. */
  readonly forgetRecent: (room: string) => void;
  readonly logger: Logger;
}

/** One stored message as an export line: everything but the sender's `ref`, which is never sent out. */
function line(message: ChatMessageRecord): string {
  const { room, id, user, name, text, ts } = message;
  return `${JSON.stringify({ room, id, user, name, text, ts })}\n`;
}

/**
 * The admin API's work on one room's stored history: export it (NDJSON, oldest first, a page
 * per store read, so no room is ever whole in memory) and delete it (in small batches, as the
 * pruner does, so a long history does not hold the store or the event loop). Both work for a
 * room that was deleted but whose messages remain.
 */
export class HistoryAdmin {
  readonly #options: HistoryAdminOptions;

  constructor(options: HistoryAdminOptions) {
    this.#options = options;
  }

  /**
   * The export as chunks of NDJSON lines, pulled page by page as the reader takes them. Fails
   * with ROOM_NOT_FOUND before anything is sent when there is neither such a room nor a message of it.
   */
  async export(room: string): Promise<AsyncIterable<string>> {
    // Every acknowledged message is in the store already: an acknowledgement follows the commit.
    const first = await this.#storeCall(() => this.#options.store.listMessagesAfter(room, undefined, PAGE));
    if (first.length === 0 && !this.#options.roomExists(room)) throw new DomainError('NO_STORED_HISTORY');
    return this.#chunks(room, first);
  }

  /** Deletes every message sent before this call; resolves with how many. */
  async delete(room: string): Promise<number> {
    const deleted = await this.#storeCall(() => this.erase(room));
    if (deleted === 0 && !this.#options.roomExists(room)) throw new DomainError('NO_STORED_HISTORY');
    this.#options.forgetRecent(room);
    this.#options.logger.info({ room, deleted }, 'room history deleted by an operator');
    return deleted;
  }

  /**
   * Deletes every message of the room sent before this call, in batches of PAGE with a turn of
   * the event loop between them (one DELETE of a 300,000-message room holds the primary for a
   * third of a second): for an operator's delete and for a deleted room's history alike.
   */
  async erase(room: string): Promise<number> {
    const cutoff = Date.now();
    await this.#options.messages.flush();
    // A resend of a deleted message is a new message.
    this.#options.messages.forgetRoom(room);
    let deleted = 0;
    for (;;) {
      const count = await this.#options.store.pruneMessages(room, { olderThan: cutoff }, PAGE);
      deleted += count;
      if (count < PAGE) return deleted;
      await nextTurn();
    }
  }

  /**
   * Erases what a deleted room of this name left in the store (its erase was cut short by a
   * stop or a crash), so a new room of the name starts empty. One lookup when there is nothing.
   */
  async eraseLeftovers(room: string): Promise<number> {
    const left = await this.#options.store.listMessagesAfter(room, undefined, 1);
    return left.length === 0 ? 0 : this.erase(room);
  }

  /** At start: erases the stored history of every room that no longer exists (erases a crash cut short). */
  async eraseOrphans(exists: (room: string) => boolean): Promise<void> {
    let after: string | undefined;
    let erased = 0;
    const rooms: string[] = [];
    for (;;) {
      const page = await this.#options.store.listMessageRooms(after, PAGE);
      rooms.push(...page.filter((room) => !exists(room)));
      if (page.length < PAGE) break;
      after = page.at(-1);
    }
    for (const room of rooms) erased += await this.erase(room);
    if (erased > 0) this.#options.logger.info({ rooms: rooms.length, erased }, 'erased the history that deleted rooms left behind');
  }

  async *#chunks(room: string, first: ChatMessageRecord[]): AsyncGenerator<string> {
    let page = first;
    while (page.length > 0) {
      yield page.map(line).join('');
      if (page.length < PAGE) return;
      page = await this.#options.store.listMessagesAfter(room, page.at(-1)!.id, PAGE);
    }
  }

  /** A store call whose failure the caller sees as STORE_UNAVAILABLE. */
  async #storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'room history: store call failed');
      throw new DomainError('STORE_UNAVAILABLE', 'room history: the store did not answer', { cause: error });
    }
  }
}
