/**
 * The publish handshake alone, timed: a minimal RTMP client (our own chunk and AMF0 code) that
 * does what ffmpeg and OBS do up to the first media byte (handshake, connect, createStream,
 * publish) and resolves when the server answers publish with its onStatus, the "ack" a
 * publisher waits for before it sends media. Used to compare how fast servers accept publishers.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { decodeAll, type Amf0Object, type Amf0Value } from '../../src/rtmp/amf0.js';
import { ChunkReader } from '../../src/rtmp/ChunkReader.js';
import { ChunkWriter } from '../../src/rtmp/ChunkWriter.js';
import { HANDSHAKE_SIZE, RTMP_VERSION } from '../../src/rtmp/handshake.js';
import { command, MessageType } from '../../src/rtmp/messages.js';

export interface PublishAck {
  /** The onStatus code: NetStream.Publish.Start when accepted. */
  readonly code: string;
  /** Milliseconds from the TCP connect to that onStatus. */
  readonly ms: number;
}

/** Publishes `key` to rtmp://127.0.0.1:port/app and resolves at the server's answer; the socket is then closed. */
export function publishAck(port: number, app: string, key: string, timeoutMs = 10_000): Promise<PublishAck> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const reader = new ChunkReader();
    const writer = new ChunkWriter();
    let handshake: Buffer | null = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no answer to publish within ${timeoutMs} ms`)), timeoutMs);
    const finish = (outcome: PublishAck | Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const send = (name: string, txn: number, streamId: number, ...args: Amf0Value[]) => socket.write(writer.write(command(streamId, name, txn, ...args)));

    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([RTMP_VERSION]), Buffer.alloc(8), randomBytes(HANDSHAKE_SIZE - 8)])));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('the server closed the connection before it answered publish')));
    socket.on('data', (bytes: Buffer) => {
      let rest = bytes;
      if (handshake !== null) {
        handshake = Buffer.concat([handshake, bytes]);
        if (handshake.length < 1 + 2 * HANDSHAKE_SIZE) return;
        // C2 echoes S1; then the commands, each sent once the one before has its _result.
        socket.write(handshake.subarray(1, 1 + HANDSHAKE_SIZE));
        rest = handshake.subarray(1 + 2 * HANDSHAKE_SIZE);
        handshake = null;
        send('connect', 1, 0, { app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; bench)', tcUrl: `rtmp://127.0.0.1:${port}/${app}` });
      }
      for (const message of reader.push(rest)) {
        if (message.typeId !== MessageType.amf0Command) continue;
        const [name, txn, , info] = decodeAll(message.payload);
        if (name === '_result' && txn === 1) send('createStream', 2, 0, null);
        else if (name === '_result' && txn === 2) send('publish', 0, Number(info), null, key, 'live');
        else if (name === '_error') finish(new Error(`refused: ${JSON.stringify(info)}`));
        else if (name === 'onStatus') finish({ code: String((info as Amf0Object | undefined)?.code), ms: performance.now() - started });
      }
    });
  });
}
