import { insertById, lowerBound, pageBounds } from './idOrder.js';

/** One stored message: its chat id, and the key its document has in the store. */
interface Entry {
  readonly id: string;
  readonly key: string;
}

const entryId = (entry: Entry): string => entry.id;

/**
 * The embedded store's messages by room, in id order, so that a page of history costs a
 * binary search and a slice (O(log n + page)) instead of loading and sorting the whole room.
 * It holds references to strings the store's documents hold already (about 50 bytes a message).
 */
export class RoomMessageIndex {
  readonly #rooms = new Map<string, Entry[]>();

  /** Forgets everything and indexes these documents (what the store loaded at open). */
  rebuild(documents: Iterable<{ readonly room: string; readonly id: string; readonly key: string }>): void {
    this.#rooms.clear();
    for (const { room, id, key } of documents) {
      let entries = this.#rooms.get(room);
      if (!entries) this.#rooms.set(room, (entries = []));
      entries.push({ id, key });
    }
    for (const entries of this.#rooms.values()) entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Adds a stored message; false when (room, id) is indexed already. */
  add(room: string, id: string, key: string): boolean {
    let entries = this.#rooms.get(room);
    if (!entries) this.#rooms.set(room, (entries = []));
    return insertById(entries, { id, key }, entryId);
  }

  has(room: string, id: string): boolean {
    const entries = this.#rooms.get(room);
    return entries !== undefined && entries[lowerBound(entries, id, entryId)]?.id === id;
  }

  /** The store keys of the newest `limit` messages older than `before`, oldest first. */
  page(room: string, before: string | undefined, limit: number): string[] {
    const entries = this.#rooms.get(room);
    if (!entries) return [];
    const { start, end } = pageBounds(entries, before, limit, entryId);
    return entries.slice(start, end).map((entry) => entry.key);
  }

  deleteRoom(room: string): void {
    this.#rooms.delete(room);
  }

  size(room: string): number {
    return this.#rooms.get(room)?.length ?? 0;
  }
}
