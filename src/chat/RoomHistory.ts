import type { ServerFrame } from '../contracts/chatFrames.js';
import type { ChatMessageRecord } from '../contracts/records.js';
import type { ChatContext } from './ChatContext.js';
import type { Ref } from '../contracts/chatFrames.js';
import { LIMITS } from './protocol.js';
import { recentCapacity, RecentMessages, type HistoryPage } from './RecentMessages.js';
import { errorFrame, messageFrame } from './serverFrames.js';

/** Whoever asked for a history page (a chat connection). */
export interface HistoryAsker {
  send(frame: ServerFrame): void;
}

/**
 * The history of one room as its worker serves it: the newest messages kept here (welcome
 * frames and the newest pages), older pages from the primary. Each connection has one request
 * answered at a time, and the room a few primary lookups at a time, so no viewer (or crowd of
 * viewers) can queue unbounded work on the primary.
 */
export class RoomHistory {
  /** Resolves once the newest messages are loaded (or failed to load: welcome frames then start empty). */
  readonly ready: Promise<void>;
  readonly #room: string;
  readonly #ctx: Pick<ChatContext, 'loadHistory' | 'logger' | 'counters'>;
  readonly #historySize: () => number;
  readonly #recent = new RecentMessages();
  /** Connections with a history request being answered. */
  readonly #pending = new Set<HistoryAsker>();
  /** History pages of this room being fetched from the primary now. */
  #lookups = 0;

  /** `historySize` is read at each use: the operator's setting may change while the room is open. */
  constructor(room: string, ctx: Pick<ChatContext, 'loadHistory' | 'logger' | 'counters'>, historySize: () => number) {
    this.#room = room;
    this.#ctx = ctx;
    this.#historySize = historySize;
    this.ready = this.#loadRecent();
  }

  /** The newest `historySize` messages, for welcome frames. */
  newest(): readonly ChatMessageRecord[] {
    return this.#recent.newest(this.#historySize());
  }

  /** Adds a persisted message. */
  remember(record: ChatMessageRecord): void {
    this.#recent.add(record, recentCapacity(this.#historySize()));
  }

  /** The room's stored history was deleted: welcome frames and pages start from nothing. */
  forget(): void {
    this.#recent.clear();
  }

  /** Answers a `history` frame: a page from the recent messages when they hold it, from the primary otherwise. */
  async answer(asker: HistoryAsker, before: string | undefined, ref: Ref | undefined): Promise<void> {
    if (this.#pending.has(asker)) return this.#busy(asker, 'Wait for the answer to your previous history request', ref);
    const local = this.#recent.page(before, LIMITS.historyPage);
    if (local) return send(asker, local, before, ref);
    if (this.#lookups >= LIMITS.historyLookupsPerRoom) return this.#busy(asker, 'Too many history requests in this room right now; try again shortly', ref);
    this.#pending.add(asker);
    this.#lookups += 1;
    let messages: ChatMessageRecord[];
    try {
      messages = await this.#ctx.loadHistory(this.#room, before, LIMITS.historyPage);
    } catch (error) {
      this.#ctx.logger.warn({ err: error, room: this.#room }, 'history page not available');
      return asker.send(errorFrame('HISTORY_UNAVAILABLE', undefined, ref));
    } finally {
      this.#pending.delete(asker);
      this.#lookups -= 1;
    }
    send(asker, { messages, more: messages.length === LIMITS.historyPage }, before, ref);
  }

  #busy(asker: HistoryAsker, message: string, ref: Ref | undefined): void {
    this.#ctx.counters.historyBusy += 1;
    asker.send(errorFrame('HISTORY_BUSY', message, ref));
  }

  async #loadRecent(): Promise<void> {
    const asked = recentCapacity(this.#historySize());
    try {
      this.#recent.load(await this.#ctx.loadHistory(this.#room, undefined, asked), asked);
    } catch (error) {
      this.#ctx.logger.warn({ err: error, room: this.#room }, 'recent history not loaded; welcome frames start empty');
    }
  }
}

function send(asker: HistoryAsker, page: HistoryPage, before: string | undefined, ref: Ref | undefined): void {
  asker.send({
    type: 'history',
    messages: page.messages.map((record) => messageFrame(record)),
    before: before ?? null,
    more: page.more,
    ...(ref === undefined ? {} : { ref }),
  });
}
