import { randomUUID } from 'node:crypto';
import type { Logger } from '../../src/kit/createLogger.js';
import type { HealthReport, Registration, RoomReport } from '../../src/contracts/lbWire.js';
import type { PlacementPolicy } from './placementPolicies.js';
import { PLACEABLE, serverState, type ServerRecord, type RegisteredServerState, type StateRules } from './serverRecord.js';

export interface RegistryOptions extends StateRules {
  readonly dropAfterMs: number;
  readonly policy: PlacementPolicy;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** A room as the directory lists it: where it lives. */
export interface RoomLocation {
  readonly name: string;
  readonly server: string;
  readonly host: string;
  readonly url: string;
  readonly port: number;
  readonly clients: number;
  readonly live: boolean;
}

/**
 * The chat servers this load balancer knows, learnt only from their registrations and
 * heartbeats (so two load balancers agree without talking to each other). Servers that stop
 * reporting become stale, then are dropped; no manual cleanup.
 */
export class Registry {
  readonly #servers = new Map<string, ServerRecord>();
  readonly #options: RegistryOptions;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: RegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), Math.max(1_000, options.heartbeatMs));
    this.#sweeper.unref();
  }

  register(input: Registration): ServerRecord {
    const id = input.id ?? randomUUID();
    const now = this.#now();
    const known = this.#servers.get(id);
    const record: ServerRecord = {
      id,
      url: input.url,
      adminUrl: input.adminUrl,
      host: input.host,
      workers: input.workers,
      version: input.version,
      registeredAt: now,
      lastSeen: now,
      reported: 'available',
      load: known?.load ?? { cpu: 0, memory: 0, rooms: 0, clients: 0 },
      rooms: known?.rooms ?? [],
    };
    this.#servers.set(id, record);
    this.#options.logger.info({ server: id, url: input.url, again: known !== undefined }, 'chat server registered');
    return record;
  }

  /** False for an unknown id: the server must register again. */
  heartbeat(id: string, report: HealthReport): ServerRecord | undefined {
    const server = this.#servers.get(id);
    if (!server) return undefined;
    const wasStale = this.state(server) === 'stale';
    server.lastSeen = this.#now();
    server.reported = report.status === 'draining' || report.accepting === false ? 'draining' : 'available';
    server.load = { ...report.load };
    server.rooms = [...report.rooms];
    if (wasStale) this.#options.logger.info({ server: id }, 'chat server reporting again');
    return server;
  }

  deregister(id: string): boolean {
    const removed = this.#servers.delete(id);
    if (removed) this.#options.logger.info({ server: id }, 'chat server deregistered');
    return removed;
  }

  get(id: string): ServerRecord | undefined {
    return this.#servers.get(id);
  }

  state(server: ServerRecord): RegisteredServerState {
    return serverState(server, this.#options, this.#now());
  }

  list(): Array<{ server: ServerRecord; state: RegisteredServerState }> {
    return [...this.#servers.values()].map((server) => ({ server, state: this.state(server) }));
  }

  /** Servers that may take a new room, best first by the placement policy (available before warning). */
  candidates(): ServerRecord[] {
    const ordered: ServerRecord[] = [];
    for (const state of PLACEABLE) {
      ordered.push(...this.#options.policy(this.list().filter((entry) => entry.state === state).map((entry) => entry.server)));
    }
    return ordered;
  }

  /** Every room on servers that still report; a name on two servers lists the most recently seen. */
  rooms(): RoomLocation[] {
    const byName = new Map<string, { location: RoomLocation; seen: number }>();
    for (const { server, state } of this.list()) {
      if (state === 'stale') continue;
      for (const room of server.rooms) {
        const known = byName.get(room.name);
        if (known && known.seen >= server.lastSeen) continue;
        byName.set(room.name, { location: locate(server, room), seen: server.lastSeen });
      }
    }
    return [...byName.values()].map((entry) => entry.location).sort((a, b) => a.name.localeCompare(b.name));
  }

  room(name: string): RoomLocation | undefined {
    return this.rooms().find((room) => room.name === name);
  }

  /** Records a room the placer just created, before the server's next heartbeat lists it. */
  noteRoom(serverId: string, room: RoomReport): void {
    const server = this.#servers.get(serverId);
    if (server && !server.rooms.some((known) => known.name === room.name)) server.rooms = [...server.rooms, room];
  }

  /** Drops servers silent for longer than dropAfterMs. */
  sweep(): void {
    const now = this.#now();
    for (const server of this.#servers.values()) {
      if (now - server.lastSeen > this.#options.dropAfterMs) {
        this.#servers.delete(server.id);
        this.#options.logger.warn({ server: server.id, silentMs: now - server.lastSeen }, 'chat server dropped after a long silence');
      }
    }
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}

function locate(server: ServerRecord, room: RoomReport): RoomLocation {
  return { name: room.name, server: server.id, host: server.host, url: server.url, port: room.port, clients: room.clients, live: room.live };
}
