import type { ServerRecord } from './serverRecord.js';

/**
 * A placement policy orders the servers that may take a new room, best first (the placer
 * tries them in order and moves on when one fails). Every candidate is available or warning;
 * available ones come first whatever the policy.
 */
export type PlacementPolicy = (candidates: readonly ServerRecord[]) => ServerRecord[];

const byLoad = (server: ServerRecord) => Math.max(server.load.cpu, server.load.memory);

export const PLACEMENT_POLICIES = {
  /** The least busy CPU or memory first, then the fewest chat clients. */
  'least-loaded': (candidates) => [...candidates].sort((a, b) => byLoad(a) - byLoad(b) || a.load.clients - b.load.clients),
  /** The fewest rooms first: spreads rooms evenly when loads are alike. */
  'fewest-rooms': (candidates) => [...candidates].sort((a, b) => a.load.rooms - b.load.rooms || byLoad(a) - byLoad(b)),
} satisfies Record<string, PlacementPolicy>;

export type PolicyName = keyof typeof PLACEMENT_POLICIES;
