import type { GlobalSettings, RoomSettings } from '../contracts/records.js';

/** What a pruning call may delete from one room: a message goes when either limit says so. */
export interface PruneRule {
  /** Messages with `ts` below this (epoch ms) go. */
  readonly olderThan?: number;
  /** Only the newest this many stay. */
  readonly keepNewest?: number;
}

/**
 * Bounds of the retention settings. The count is bounded lower than the age because finding
 * where the newest N messages start walks N index entries at each pruning pass; a longer
 * history is kept by age.
 */
export const RETENTION_LIMITS = {
  maxDays: 3650,
  maxMessages: 100_000,
} as const;

const DAY_MS = 86_400_000;

/** A room's own setting wins over the global one; 0 in a room means "no limit here". */
function pick(room: RoomSettings[string] | undefined, global: number | null): number | undefined {
  if (typeof room === 'number') return room > 0 ? room : undefined;
  return global ?? undefined;
}

/** The rule for one room at `now`, or undefined when its history is kept whole. */
export function retentionRule(global: GlobalSettings, room: RoomSettings | undefined, now: number): PruneRule | undefined {
  const days = pick(room?.historyRetentionDays, global.historyRetentionDays);
  const keep = pick(room?.historyMaxMessages, global.historyMaxMessages);
  if (days === undefined && keep === undefined) return undefined;
  return {
    ...(days === undefined ? {} : { olderThan: now - days * DAY_MS }),
    ...(keep === undefined ? {} : { keepNewest: keep }),
  };
}

/** True when the global settings prune some history: every room with messages must be walked. */
export function globalRetentionSet(global: GlobalSettings): boolean {
  return global.historyRetentionDays !== null || global.historyMaxMessages !== null;
}

/** True when a room's own settings prune its history (whatever the global ones say). */
export function roomRetentionSet(room: RoomSettings): boolean {
  const positive = (value: RoomSettings[string] | undefined) => typeof value === 'number' && value > 0;
  return positive(room.historyRetentionDays) || positive(room.historyMaxMessages);
}
