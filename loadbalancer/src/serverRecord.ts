import type { Registration, RoomReport } from '../../src/contracts/lbWire.js';

export type { RoomReport };

/** A chat server as the load balancer sees it, kept from its registration and heartbeats. */
export interface ServerRecord extends Required<Registration> {
  readonly id: string;
  readonly registeredAt: number;
  lastSeen: number;
  /** What the server says of itself: available, or draining (not accepting new rooms). */
  reported: 'available' | 'draining';
  load: { cpu: number; memory: number; rooms: number; clients: number };
  rooms: RoomReport[];
}

export type RegisteredServerState = 'available' | 'warning' | 'full' | 'draining' | 'stale';

export interface StateRules {
  readonly heartbeatMs: number;
  readonly staleAfterBeats: number;
  readonly warningLoad: number;
  readonly fullLoad: number;
}

/**
 * A server's state now: stale once it missed `staleAfterBeats` heartbeats (whatever it said
 * last), draining when it says so, else full / warning when its busiest resource is above
 * the threshold (so a threshold of 1 turns that state off), else available.
 */
export function serverState(server: ServerRecord, rules: StateRules, now: number): RegisteredServerState {
  if (now - server.lastSeen > rules.heartbeatMs * rules.staleAfterBeats) return 'stale';
  if (server.reported === 'draining') return 'draining';
  const busiest = Math.max(server.load.cpu, server.load.memory);
  if (busiest > rules.fullLoad) return 'full';
  if (busiest > rules.warningLoad) return 'warning';
  return 'available';
}

/** States that may take a new room, best first. */
export const PLACEABLE: readonly RegisteredServerState[] = ['available', 'warning'];
