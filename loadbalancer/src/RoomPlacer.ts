import type { Logger } from '../../src/kit/createLogger.js';
import { ApiError } from '../../src/kit/errors.js';
import type { Registry, RoomLocation } from './Registry.js';
import type { ServerRecord } from './serverRecord.js';

const CREATE_TIMEOUT_MS = 5_000;

export interface PlacedRoom {
  readonly created: boolean;
  readonly room: RoomLocation;
  readonly message: string;
}

/** The chat server's own answer (a 4xx: bad key, bad name, bad settings), passed on as it is. */
export class UpstreamAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`chat server answered ${status}`);
    this.name = 'UpstreamAnswer';
  }
}

/**
 * Creates rooms on the best chat server with the caller's own X-API-Key (the load balancer
 * holds no chat server key). A room the directory knows is created where it already lives
 * (that server answers "already exists"); a server that fails is skipped for the next one.
 * Concurrent creates of one name share one placement.
 */
export class RoomPlacer {
  readonly #registry: Registry;
  readonly #logger: Logger;
  readonly #inflight = new Map<string, Promise<PlacedRoom>>();

  constructor(registry: Registry, logger: Logger) {
    this.#registry = registry;
    this.#logger = logger.child({ component: 'placement' });
  }

  place(name: string, apiKey: string, body: unknown): Promise<PlacedRoom> {
    const running = this.#inflight.get(name);
    if (running) return running;
    const placing = this.#place(name, apiKey, body).finally(() => this.#inflight.delete(name));
    this.#inflight.set(name, placing);
    return placing;
  }

  async #place(name: string, apiKey: string, body: unknown): Promise<PlacedRoom> {
    const known = this.#registry.room(name);
    const home = known ? this.#registry.get(known.server) : undefined;
    if (home) return this.#createOn(home, name, apiKey, body);
    for (const server of this.#registry.candidates()) {
      try {
        return await this.#createOn(server, name, apiKey, body);
      } catch (error) {
        if (error instanceof UpstreamAnswer) throw error;
        this.#logger.warn({ err: error, server: server.id, room: name }, 'chat server could not create the room; trying the next');
      }
    }
    throw new ApiError('NO_SERVER_AVAILABLE');
  }

  async #createOn(server: ServerRecord, name: string, apiKey: string, body: unknown): Promise<PlacedRoom> {
    const response = await fetch(`${server.url}/api/v1/room/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CREATE_TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => null)) as { data?: { port?: unknown; message?: unknown } } | null;
    if (response.status >= 400 && response.status < 500) throw new UpstreamAnswer(response.status, answer);
    const port = answer?.data?.port;
    if ((response.status !== 200 && response.status !== 201) || typeof port !== 'number') {
      throw new Error(`POST ${server.url}/api/v1/room/${name} answered ${response.status}`);
    }
    const room = { name, port, clients: 0, live: false };
    this.#registry.noteRoom(server.id, room);
    this.#logger.info({ room: name, server: server.id, port, created: response.status === 201 }, 'room placed');
    return {
      created: response.status === 201,
      message: typeof answer?.data?.message === 'string' ? answer.data.message : 'Room created',
      room: this.#registry.room(name) ?? { ...room, server: server.id, host: server.host, url: server.url },
    };
  }
}
