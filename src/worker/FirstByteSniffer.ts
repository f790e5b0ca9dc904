import type { Socket } from 'node:net';
import type { Logger } from '../kit/createLogger.js';

/** The first byte of an RTMP connection (the C0 of its handshake: version 3); HTTP starts with a letter. */
const RTMP_VERSION_BYTE = 0x03;

export interface FirstByteSnifferOptions {
  /** How long a connection may take to send its first byte (like an HTTP request's headers). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Whether the port still takes connections: one whose first byte comes after it closed is cut. */
  readonly accepting: () => boolean;
  /** An RTMP publisher, with the chunk read (`head`). */
  readonly rtmp: (socket: Socket, head: Buffer) => void;
  /** An HTTP client, its first chunk given back to the socket. */
  readonly http: (socket: Socket) => void;
}

/**
 * Tells RTMP from HTTP on a room's port by a connection's first byte: RTMP's handshake starts
 * with 0x03, an HTTP request with a method's letter. The port's own net.Server accepts
 * connections (not the HTTP server's 'connection' event: Node's HTTP parser attaches there at
 * once, and may read the socket's handle directly, so a chunk cannot be peeked before it). The
 * first chunk is read in paused mode; an HTTP connection gets it back with unshift(), an RTMP
 * one goes on with the chunk as `head`. Until its first byte, a connection has `timeoutMs`.
 */
export class FirstByteSniffer {
  readonly #options: FirstByteSnifferOptions;
  /** Connections whose first byte has not come yet: close() cuts them. */
  readonly #waiting = new Set<Socket>();

  constructor(options: FirstByteSnifferOptions) {
    this.#options = options;
  }

  sniff(socket: Socket): void {
    const { timeoutMs, logger } = this.#options;
    this.#waiting.add(socket);
    const onTimeout = () => socket.destroy();
    const onError = (error: Error) => logger.debug({ err: error }, 'socket error before the first byte');
    const done = () => {
      this.#waiting.delete(socket);
      socket.off('readable', onReadable);
      socket.off('timeout', onTimeout);
      socket.off('error', onError);
      socket.off('close', done);
      socket.setTimeout(0);
    };
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null || chunk.length === 0) return;
      done();
      if (!this.#options.accepting()) socket.destroy();
      else if (chunk[0] === RTMP_VERSION_BYTE) this.#options.rtmp(socket, chunk);
      else {
        socket.unshift(chunk);
        this.#options.http(socket);
      }
    };
    socket.setTimeout(timeoutMs);
    socket.on('timeout', onTimeout);
    socket.on('error', onError);
    socket.on('close', done);
    socket.on('readable', onReadable);
  }

  /** Cuts the connections still waiting for their first byte. */
  close(): void {
    for (const socket of this.#waiting) socket.destroy();
  }
}
