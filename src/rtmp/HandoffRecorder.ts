import type { Duplex } from 'node:stream';
import { RtmpError } from './RtmpError.js';

/**
 * Keeps every byte a session read after the handshake, in the pieces they came in (a resumed
 * session acknowledges where they end, as this one did), so another process can replay them
 * (RtmpSessionOptions.handoff and .resume). Bounded: a peer that talks past `maxBytes` before
 * publishing is not a publisher.
 */
export class HandoffRecorder {
  readonly #maxBytes: number;
  readonly #parts: Buffer[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Throws RtmpError TOO_LARGE past the bound. */
  record(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#bytes += bytes.length;
    if (this.#bytes > this.#maxBytes) {
      throw new RtmpError('TOO_LARGE', `More than ${this.#maxBytes} bytes came before the publish command`);
    }
    this.#parts.push(Buffer.from(bytes));
  }

  /**
   * Everything recorded, plus what the paused socket holds in its buffer (read from the kernel
   * but not emitted), after which the socket's handle stops reading: the bytes that come next
   * stay in the kernel for the process the socket is handed to. Synchronous, so nothing is read
   * between the last buffered byte and the handle's stop.
   */
  drain(socket: Duplex): Buffer[] {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) this.#parts.push(chunk);
    stopReading(socket);
    return this.#parts.splice(0);
  }
}

/** The part of net.Socket's internal handle that reading uses (libuv's uv_read_stop). */
interface ReadingHandle {
  reading?: boolean;
  readStop?: () => number;
}

/**
 * Stops a net.Socket's handle from reading. A paused socket keeps reading into its buffer (up to
 * its high-water mark), and when a socket is sent to another process Node sets its handle's
 * `onread` to a no-op until the handle is closed: bytes read in that window would be lost. Node
 * has no public call for this, so its handle's `readStop` is used when it is there.
 */
function stopReading(socket: Duplex): void {
  const handle = (socket as unknown as { _handle?: ReadingHandle | null })._handle;
  if (handle === null || handle === undefined || typeof handle.readStop !== 'function') return;
  handle.reading = false;
  handle.readStop();
}
