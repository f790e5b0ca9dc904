import type { DatabaseSync } from 'node:sqlite';
import type { ChatMessageRecord } from '../../contracts/records.js';
import { firstIdAt } from '../idOrder.js';
import type { PruneRule } from '../retention.js';
import type { TimeSpanQuery } from '../Store.js';

type MessageOf = (row: Record<string, unknown>) => ChatMessageRecord;

/**
 * The embedded store's history maintenance: export pages, a recording's span and retention, prepared once
 * per open database. Every statement walks the (room, id) primary key, so each call costs at
 * most its page or batch whatever the room's size (and the count rule its `keepNewest`).
 */
export class HistoryMaintenance {
  readonly #messageOf: MessageOf;
  readonly #messagesAfter;
  readonly #messagesBetween;
  readonly #nthNewestId;
  readonly #pruneOldest;
  readonly #roomsAfter;

  /** `messageOf` reads a message row (the store's own mapping). */
  constructor(db: DatabaseSync, messageOf: MessageOf) {
    this.#messageOf = messageOf;
    this.#messagesAfter = db.prepare('SELECT * FROM messages WHERE room = ? AND id > ? ORDER BY id LIMIT ?');
    this.#messagesBetween = db.prepare(`
      SELECT * FROM messages WHERE room = :room AND id >= :first AND id < :end AND id > :after AND ts BETWEEN :from AND :to
      ORDER BY id LIMIT :limit`);
    this.#nthNewestId = db.prepare('SELECT id FROM messages WHERE room = ? ORDER BY id DESC LIMIT 1 OFFSET ?');
    // Of the room's `limit` oldest messages, those older than the age limit or below the count
    // boundary (NULL: that rule is not set). Both cut the start of the history, so a batch that
    // deletes fewer than it looked at has reached the messages to keep.
    this.#pruneOldest = db.prepare(`
      DELETE FROM messages WHERE room = :room AND id IN (
        SELECT id FROM (SELECT id, ts FROM messages WHERE room = :room ORDER BY id LIMIT :limit)
        WHERE ts < :olderThan OR id < :boundary
      )`);
    // One primary-key seek per room name, whatever the number of messages (a loose index scan).
    this.#roomsAfter = db.prepare(`
      WITH RECURSIVE names(room) AS (
        SELECT (SELECT min(room) FROM messages WHERE room > :after)
        UNION ALL
        SELECT (SELECT min(room) FROM messages WHERE room > names.room) FROM names WHERE names.room IS NOT NULL LIMIT :limit
      )
      SELECT room FROM names WHERE room IS NOT NULL`);
  }

  messagesAfter(room: string, after: string | undefined, limit: number): ChatMessageRecord[] {
    return this.#messagesAfter.all(room, after ?? '', Math.max(0, limit)).map(this.#messageOf);
  }

  messagesBetween(room: string, span: TimeSpanQuery): ChatMessageRecord[] {
    const { from, to, after, limit } = span;
    return this.#messagesBetween.all({ room, first: firstIdAt(from), end: firstIdAt(to + 1), after: after ?? '', from, to, limit: Math.max(0, limit) }).map(this.#messageOf);
  }

  prune(room: string, rule: PruneRule, limit: number): number {
    if (limit <= 0 || (rule.olderThan === undefined && rule.keepNewest === undefined)) return 0;
    let boundary: string | null = null;
    if (rule.keepNewest !== undefined) {
      const row = this.#nthNewestId.get(room, Math.max(0, rule.keepNewest - 1));
      // Fewer messages than the count: none is over it.
      if (row) boundary = row.id as string;
      else if (rule.olderThan === undefined) return 0;
    }
    const result = this.#pruneOldest.run({ room, limit, olderThan: rule.olderThan ?? null, boundary });
    return Number(result.changes);
  }

  roomsAfter(after: string | undefined, limit: number): string[] {
    if (limit <= 0) return [];
    // One more row than asked: the recursion's first row may be the NULL that ends it.
    return this.#roomsAfter.all({ after: after ?? '', limit: limit + 1 }).map((row) => row.room as string).slice(0, limit);
  }
}
