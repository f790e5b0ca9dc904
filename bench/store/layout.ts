/** The shape of the store scenario's data, shared by its parent and its child processes. */
export const BUSY_ROOM = 'busy';
export const ROOMS = 100;
/** Messages per appendMessages call: one transaction, one durable commit. */
export const BATCH = 1_000;

/** The busy room first (on the first room port), then room01..room99. */
export function roomNames(): string[] {
  return [BUSY_ROOM, ...otherRooms()];
}

export function otherRooms(): string[] {
  return Array.from({ length: ROOMS - 1 }, (_, i) => `room${String(i + 1).padStart(2, '0')}`);
}

export interface SeedFigures {
  readonly messages: number;
  readonly busyMessages: number;
  readonly batches: number;
  /** Wall time of the whole seeding loop (building the records included). */
  readonly seconds: number;
  readonly perSecond: number;
  /** Messages per second counting only the time inside appendMessages. */
  readonly storePerSecond: number;
  readonly closeMs: number;
  readonly fileBytes: number;
  readonly rssBytes: number;
  /** The busy room's message `quarterDepth` messages back from its newest. */
  readonly quarterBeforeId: string;
  readonly quarterDepth: number;
}

export interface ReadFigures {
  readonly rssBeforeOpenBytes: number;
  readonly openMs: number;
  /** The first call of each kind (cold: pages not in SQLite's cache or the OS's yet), then p50 / p99 of the rest. */
  readonly newestFirstMs: number;
  readonly newestP50Ms: number;
  readonly newestP99Ms: number;
  readonly quarterFirstMs: number;
  readonly quarterP50Ms: number;
  readonly quarterP99Ms: number;
  readonly calls: number;
  readonly rssAfterReadsBytes: number;
  readonly closeMs: number;
}
