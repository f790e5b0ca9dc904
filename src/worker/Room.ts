import http from 'node:http';
import type { Logger } from '../log/createLogger.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { RoomSettings } from '../store/records.js';
import { handleRoomRequest } from './roomRequests.js';

/** Bounds for a room port's HTTP side: slow or idle clients cannot hold sockets forever. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export type RoomState = 'new' | 'listening' | 'closed';

export interface RoomOptions {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly logger: Logger;
}

/**
 * One chat room, listening on its own port inside the worker that owns it.
 * The port is bound with `exclusive: true` so the cluster primary never shares or proxies it.
 */
export class Room {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly createdAt = Date.now();
  readonly #server: http.Server;
  readonly #logger: Logger;
  #state: RoomState = 'new';

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.port = options.port;
    this.settings = options.settings;
    this.#logger = options.logger.child({ room: options.name, port: options.port });
    this.#server = http.createServer((req, res) => handleRoomRequest(this, req, res));
    this.#server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.#server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.#server.on('clientError', (error, socket) => {
      this.#logger.debug({ err: error }, 'bad request on room port');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  get state(): RoomState {
    return this.#state;
  }

  /** Connected chat clients (the chat layer fills this in). */
  get clients(): number {
    return 0;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.#server.off('listening', onListening);
        reject(listenError(this.port, error));
      };
      const onListening = () => {
        this.#server.off('error', onError);
        resolve();
      };
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen({ port: this.port, exclusive: true });
    });
    this.#state = 'listening';
    this.#server.on('error', (error) => this.#logger.error({ err: error }, 'room server error'));
    this.#logger.info('room listening');
  }

  /** Stops listening and drops open connections. Safe to call twice. */
  async close(reason: string): Promise<void> {
    if (this.#state === 'closed') return;
    const wasListening = this.#state === 'listening';
    this.#state = 'closed';
    if (!wasListening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.#logger.info({ reason }, 'room closed');
  }
}

function listenError(port: number, error: NodeJS.ErrnoException): IpcError {
  if (error.code === 'EADDRINUSE') return new IpcError('PORT_IN_USE', `port ${port} is already in use`);
  if (error.code === 'EACCES') return new IpcError('PORT_DENIED', `no permission to listen on port ${port}`);
  return new IpcError('FAILED', `cannot listen on port ${port}: ${error.message}`);
}
