import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/createLogger.js';
import { ChatRoom } from '../chat/ChatRoom.js';
import { IpcError } from '../ipc/IpcChannel.js';
import type { RoomSettings } from '../store/records.js';
import { handleRoomRequest } from './roomRequests.js';
import type { WorkerChat } from './WorkerChat.js';

/** Bounds for a room port's HTTP side: slow or idle clients cannot hold sockets forever. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export type RoomState = 'new' | 'listening' | 'closed';
/** Why a room closes: deleted (clients get close 4000) or the worker is going away (1001, reconnect). */
export type RoomCloseKind = 'deleted' | 'going-away';

export interface RoomOptions {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly logger: Logger;
  readonly chat: WorkerChat;
}

/**
 * One room, listening on its own port inside the worker that owns it. The port is bound with
 * `exclusive: true` so the cluster primary never shares or proxies it. It serves the room's
 * HTTP routes and hands `/chat` upgrades to the room's ChatRoom.
 */
export class Room {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly chat: ChatRoom;
  readonly #server: http.Server;
  readonly #logger: Logger;
  readonly #workerChat: WorkerChat;
  #state: RoomState = 'new';

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.port = options.port;
    this.settings = options.settings;
    this.#workerChat = options.chat;
    this.#logger = options.logger.child({ room: options.name, port: options.port });
    this.chat = new ChatRoom(options.name, options.settings, options.chat.context);
    this.#server = http.createServer((req, res) => handleRoomRequest(this, req, res));
    this.#server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.#server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    this.#server.on('clientError', (error, socket) => {
      this.#logger.debug({ err: error }, 'bad request on room port');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  get state(): RoomState {
    return this.#state;
  }

  get clients(): number {
    return this.chat.clientCount;
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

  /** Tells chat clients, stops listening and drops open connections. Safe to call twice. */
  async close(reason: string, kind: RoomCloseKind = 'deleted'): Promise<void> {
    if (this.#state === 'closed') return;
    const wasListening = this.#state === 'listening';
    this.#state = 'closed';
    this.chat.close(reason, kind === 'deleted' ? 'ROOM_CLOSED' : 'GOING_AWAY');
    if (!wasListening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      // Give close frames a moment to leave before the remaining sockets are cut.
      setTimeout(() => this.#server.closeAllConnections(), 200).unref();
    });
    this.#logger.info({ reason }, 'room closed');
  }

  #upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/chat' || this.#state !== 'listening') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', (error) => this.#logger.debug({ err: error }, 'chat socket error before upgrade'));
    this.#workerChat.upgrade(this.chat, request, socket, head);
  }
}

function listenError(port: number, error: NodeJS.ErrnoException): IpcError {
  if (error.code === 'EADDRINUSE') return new IpcError('PORT_IN_USE', `port ${port} is already in use`);
  if (error.code === 'EACCES') return new IpcError('PORT_DENIED', `no permission to listen on port ${port}`);
  return new IpcError('FAILED', `cannot listen on port ${port}: ${error.message}`);
}

