import type { RoomActivity } from '../contracts/ipc.js';

/** A room's activity is reported at most this often: the joins, leaves and messages in between become one report. */
export const ACTIVITY_COALESCE_MS = 250;

/** A room as the reporter sees it. */
export interface ActivitySource {
  readonly name: string;
  activity(): RoomActivity;
}

function sameActivity(a: RoomActivity | undefined, b: RoomActivity): boolean {
  return a !== undefined && a.epoch === b.epoch && a.clients === b.clients && a.viewers === b.viewers && a.messages === b.messages && a.live === b.live && a.liveSince === b.liveSince && a.thumbnail === b.thumbnail && JSON.stringify(a.ingest) === JSON.stringify(b.ingest);
}

/**
 * Pushes the activity of a worker's rooms to the primary when it changes, instead of the
 * primary asking for it: one note per report for every room that changed. A room is marked
 * when something may have changed it; marks within ACTIVITY_COALESCE_MS become one report, and
 * a room that is back to what was last sent is left out. A stream going live or ending does not
 * wait (the room lists show it at once): it is reported at the next turn of the event loop, after
 * the work in flight has settled.
 */
export class RoomActivityReporter {
  readonly #send: (rooms: RoomActivity[]) => void;
  readonly #coalesceMs: number;
  readonly #marked = new Map<string, ActivitySource>();
  readonly #sent = new Map<string, RoomActivity>();
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;

  constructor(send: (rooms: RoomActivity[]) => void, coalesceMs = ACTIVITY_COALESCE_MS) {
    this.#send = send;
    this.#coalesceMs = coalesceMs;
  }

  /** The room's activity may have changed; `urgent` for a change that must not wait for the others. */
  changed(room: ActivitySource, urgent = false): void {
    this.#marked.set(room.name, room);
    if (urgent) {
      this.#immediate ??= setImmediate(() => this.report());
      return;
    }
    if (this.#timer || this.#immediate) return;
    this.#timer = setTimeout(() => this.report(), this.#coalesceMs);
    this.#timer.unref();
  }

  /** The room closed here: nothing more is said about it (the primary knows it is gone). */
  forget(name: string): void {
    this.#marked.delete(name);
    this.#sent.delete(name);
  }

  /** Sends what changed in the marked rooms since their last report. */
  report(): void {
    this.#cancel();
    const changed: RoomActivity[] = [];
    for (const room of this.#marked.values()) {
      const activity = room.activity();
      if (sameActivity(this.#sent.get(room.name), activity)) continue;
      this.#sent.set(room.name, activity);
      changed.push(activity);
    }
    this.#marked.clear();
    if (changed.length > 0) this.#send(changed);
  }

  close(): void {
    this.#cancel();
    this.#marked.clear();
  }

  #cancel(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}
