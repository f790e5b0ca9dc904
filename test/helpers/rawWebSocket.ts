import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A hand-driven WebSocket client on a raw TCP socket, for what `ws` clients never do: stop
 * reading (a slow consumer) or never answer pings (a dead peer).
 */
export class RawWebSocket {
  readonly socket: net.Socket;
  readonly ended: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number, path = '/chat'): Promise<RawWebSocket> {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          socket.off('data', onData);
          if (head.startsWith('HTTP/1.1 101')) resolve();
          else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        }
      };
      socket.on('data', onData);
    });
    return new RawWebSocket(socket);
  }

  /** Sends one masked text frame, as clients must. */
  sendText(text: string): void {
    const payload = Buffer.from(text);
    const mask = randomBytes(4);
    const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** Stops reading: the kernel buffers fill and the server's send queue grows. */
  stopReading(): void {
    this.socket.pause();
  }

  /**
   * Reads everything from now on and returns the opcode of each frame the server sends, as it
   * comes (1 text, 8 close, 9 ping), without answering any ping.
   */
  readOpcodes(): number[] {
    const opcodes: number[] = [];
    let pending = Buffer.alloc(0);
    this.socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Server frames are not masked: 2 header bytes, then a 16- or 64-bit length if the 7-bit one says so.
      for (;;) {
        if (pending.length < 2) return;
        let length = pending[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (pending.length < 4) return;
          length = pending.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (pending.length < 10) return;
          length = Number(pending.readBigUInt64BE(2));
          offset = 10;
        }
        if (pending.length < offset + length) return;
        opcodes.push(pending[0]! & 0x0f);
        pending = pending.subarray(offset + length);
      }
    });
    this.socket.resume();
    return opcodes;
  }

  /** Reads (and discards) everything from now on, keeping the last bytes seen. */
  drain(): { tail: () => Buffer } {
    let last = Buffer.alloc(0);
    this.socket.on('data', (chunk: Buffer) => (last = Buffer.concat([last, chunk]).subarray(-64)));
    this.socket.resume();
    return { tail: () => last };
  }
}
