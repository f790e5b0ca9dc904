import type { Socket } from 'node:net';
import type { Envelope, IpcErrorCode } from '../contracts/ipc.js';

/** The two ends Node gives us (a cluster Worker in the primary, `process` in a worker), reduced to what we use. */
export interface IpcEndpoint {
  send(message: Envelope): void;
  /**
   * Sends with a socket (Node's sendHandle): once sent, the socket is the other process's and is
   * closed here. `done` says whether it left. Absent on ends that cannot carry sockets.
   */
  sendSocket?(message: Envelope, socket: Socket, done: (error: Error | null) => void): void;
  /** `socket`: the one that came with the message, if any. */
  onMessage(listener: (message: unknown, socket?: Socket) => void): () => void;
  onClose(listener: () => void): () => void;
}

/** A request that failed on the other side, timed out, or never left. */
export class IpcError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcError';
  }
}

type RequestMap = Record<string, [unknown, unknown]>;
type NoteMap = Record<string, unknown>;
type Handler<P, R> = (payload: P) => Promise<R> | R;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const ch = (value as { ch?: unknown }).ch;
  return ch === 'req' || ch === 'res' || ch === 'note' || ch === 'socket';
}

/**
 * Typed request/response and one-way notes over a Node IPC endpoint, and notes that carry a
 * socket. `Out*` are what this side sends, `In*` what it receives.
 */
export class IpcChannel<
  OutReq extends RequestMap,
  InReq extends RequestMap,
  OutNote extends NoteMap,
  InNote extends NoteMap,
  OutSocket extends NoteMap = Record<string, never>,
  InSocket extends NoteMap = Record<string, never>,
> {
  readonly #endpoint: IpcEndpoint;
  readonly #pending = new Map<number, Pending>();
  readonly #handlers = new Map<string, Handler<unknown, unknown>>();
  readonly #noteListeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #socketListeners = new Map<string, (payload: unknown, socket: Socket) => void>();
  readonly #detach: Array<() => void>;
  #nextId = 1;
  #closed = false;

  constructor(endpoint: IpcEndpoint) {
    this.#endpoint = endpoint;
    this.#detach = [endpoint.onMessage((message, socket) => this.#receive(message, socket)), endpoint.onClose(() => this.close())];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a request and resolves with the answer. `timeoutMs: null` waits for the answer as long
   * as the channel is open, for requests whose outcome the other side decides (a timeout here
   * could contradict what it did).
   */
  request<T extends keyof OutReq & string>(type: T, payload: OutReq[T][0], timeoutMs: number | null = DEFAULT_TIMEOUT_MS): Promise<OutReq[T][1]> {
    if (this.#closed) return Promise.reject(new IpcError('CHANNEL_CLOSED', `cannot send ${type}: channel closed`));
    const id = this.#nextId++;
    return new Promise<OutReq[T][1]>((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => {
              this.#pending.delete(id);
              reject(new IpcError('TIMEOUT', `${type} got no answer within ${timeoutMs} ms`));
            }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.#send({ ch: 'req', id, type, payload }, (error) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(error);
      });
    });
  }

  notify<T extends keyof OutNote & string>(type: T, payload: OutNote[T]): boolean {
    if (this.#closed) return false;
    let sent = true;
    this.#send({ ch: 'note', type, payload }, () => {
      sent = false;
    });
    return sent;
  }

  /**
   * Hands a socket to the other process with a note. Resolves once it left (the socket is then
   * closed here); rejects when it could not leave, and the socket is still this process's to close.
   */
  sendSocket<T extends keyof OutSocket & string>(type: T, payload: OutSocket[T], socket: Socket): Promise<void> {
    const sendSocket = this.#endpoint.sendSocket?.bind(this.#endpoint);
    if (this.#closed || sendSocket === undefined) {
      return Promise.reject(new IpcError('CHANNEL_CLOSED', `cannot send ${type}: ${this.#closed ? 'channel closed' : 'this channel carries no sockets'}`));
    }
    return new Promise<void>((resolve, reject) => {
      try {
        sendSocket({ ch: 'socket', type, payload }, socket, (error) => (error === null ? resolve() : reject(new IpcError('CHANNEL_CLOSED', `${type} not sent: ${error.message}`))));
      } catch (error) {
        reject(new IpcError('CHANNEL_CLOSED', `${type} not sent: ${(error as Error).message}`));
      }
    });
  }

  /** The one listener for a socket note; a socket that comes with no listener is destroyed. */
  onSocket<T extends keyof InSocket & string>(type: T, listener: (payload: InSocket[T], socket: Socket) => void): void {
    this.#socketListeners.set(type, listener as (payload: unknown, socket: Socket) => void);
  }

  handle<T extends keyof InReq & string>(type: T, handler: Handler<InReq[T][0], InReq[T][1]>): void {
    this.#handlers.set(type, handler as Handler<unknown, unknown>);
  }

  onNote<T extends keyof InNote & string>(type: T, listener: (payload: InNote[T]) => void): () => void {
    let listeners = this.#noteListeners.get(type);
    if (!listeners) this.#noteListeners.set(type, (listeners = new Set()));
    const untyped = listener as (payload: unknown) => void;
    listeners.add(untyped);
    return () => listeners.delete(untyped);
  }

  /** Rejects every pending request. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const detach of this.#detach) detach();
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new IpcError('CHANNEL_CLOSED', `request ${id} lost: channel closed`));
    }
    this.#pending.clear();
  }

  #send(envelope: Envelope, onError: (error: IpcError) => void): void {
    try {
      this.#endpoint.send(envelope);
    } catch (error) {
      onError(new IpcError('CHANNEL_CLOSED', `send failed: ${(error as Error).message}`));
    }
  }

  #receive(message: unknown, socket: Socket | undefined): void {
    if (socket !== undefined) {
      this.#receiveSocket(message, socket);
      return;
    }
    if (!isEnvelope(message)) return;
    switch (message.ch) {
      case 'socket':
        return;
      case 'res': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new IpcError(message.code, message.message));
        return;
      }
      case 'note':
        for (const listener of this.#noteListeners.get(message.type) ?? []) listener(message.payload);
        return;
      case 'req':
        void this.#answer(message.id, message.type, message.payload);
        return;
    }
  }

  /** A socket with anything but a socket note somebody listens to has no owner here: it is closed. */
  #receiveSocket(message: unknown, socket: Socket): void {
    const listener = isEnvelope(message) && message.ch === 'socket' ? this.#socketListeners.get(message.type) : undefined;
    if (listener === undefined) socket.destroy();
    else listener((message as { payload: unknown }).payload, socket);
  }

  async #answer(id: number, type: string, payload: unknown): Promise<void> {
    const handler = this.#handlers.get(type);
    let reply: Envelope;
    if (!handler) {
      reply = { ch: 'res', id, ok: false, code: 'NO_HANDLER', message: `no handler for ${type}` };
    } else {
      try {
        reply = { ch: 'res', id, ok: true, result: await handler(payload) };
      } catch (error) {
        const code = error instanceof IpcError ? error.code : 'FAILED';
        reply = { ch: 'res', id, ok: false, code, message: (error as Error).message };
      }
    }
    if (!this.#closed) this.#send(reply, () => undefined);
  }
}
