import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * The cheapest WebSocket client we can write, for benchmark receivers: a raw TCP socket, the
 * opening handshake, and a frame scanner that hands each text frame to `onText` as latin1
 * (no UTF-8 decode, no JSON parse). Answers pings; sends masked text frames. Enough that the
 * load generator is never the bottleneck when thousands of receivers run on one core.
 */
export class RawWsClient {
  readonly #socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #open = false;
  onText: (text: string) => void = () => undefined;
  /** Protocol-level frames answered here and not passed on (Engine.IO's ping `2` -> `3`). */
  autoReply: ((text: string) => string | null) | null = null;
  /** Resolves once the connection is gone, closed by either side or reset (a killed server). */
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  get isOpen(): boolean {
    return this.#open && !this.#socket.destroyed;
  }

  static connect(port: number, path: string): Promise<RawWsClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const client = new RawWsClient(socket);
      socket.setNoDelay(true);
      // Before the handshake an error fails the connect; after it, it only ends the connection (`closed`).
      socket.on('error', (error) => (client.#open ? undefined : reject(error)));
      socket.once('connect', () => {
        const key = randomBytes(16).toString('base64');
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      socket.on('data', (chunk: Buffer) => {
        client.#buffer = client.#buffer.length === 0 ? chunk : Buffer.concat([client.#buffer, chunk]);
        if (!client.#open) {
          const end = client.#buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = client.#buffer.toString('latin1', 0, end);
          if (!head.startsWith('HTTP/1.1 101')) {
            reject(new Error(`handshake refused: ${head.split('\r\n', 1)[0]}`));
            socket.destroy();
            return;
          }
          client.#open = true;
          client.#buffer = client.#buffer.subarray(end + 4);
          resolve(client);
        }
        client.#scan();
      });
    });
  }

  send(text: string): void {
    const payload = Buffer.from(text);
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.from([0x81, 0x80 | length]) : length < 65536 ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]) : null;
    if (!header) throw new Error('benchmark frames stay under 64 KiB');
    for (let i = 0; i < length; i++) payload[i]! ^= mask[i & 3]!;
    this.#socket.write(Buffer.concat([header, mask, payload]));
  }

  close(): void {
    this.#socket.destroy();
  }

  #scan(): void {
    let buffer = this.#buffer;
    for (;;) {
      if (buffer.length < 2) break;
      const opcode = buffer[0]! & 0x0f;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) break;
      if (opcode === 0x1) this.#text(buffer.toString('latin1', offset, offset + length));
      else if (opcode === 0x9) this.#pong(buffer.subarray(offset, offset + length));
      buffer = buffer.subarray(offset + length);
    }
    this.#buffer = buffer;
  }

  #text(text: string): void {
    const reply = this.autoReply?.(text) ?? null;
    if (reply === null) this.onText(text);
    else this.send(reply);
  }

  #pong(payload: Buffer): void {
    const mask = randomBytes(4);
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i & 3]!;
    this.#socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | masked.length]), mask, masked]));
  }
}
