/*
 * Why our own RTMP code and not an npm library (issue 16, evaluated 2026):
 * - node-media-server 4.4.3 (the maintained one): its RtmpSession registers itself in global
 *   singletons (Context.sessions, Context.broadcasts) and is built to be fed by its own
 *   net.Server; the protocol class (src/protocol/rtmp.js) is internal, untyped CommonJS. It sends
 *   NetStream.Publish.Start synchronously before any hook runs, so an async token check cannot
 *   refuse a publish in the protocol's own terms; Set Chunk Size is applied unchecked (0 stalls
 *   the parser) and each chunk stream may grow a 16 MiB buffer, with no total bound. It also
 *   pulls in express, jsonwebtoken and friends.
 * - medooze-rtmp-server: a native addon (node-gyp build), which this project avoids.
 * A publisher's part of RTMP (handshake, chunks, AMF0, six commands) is a few hundred lines we
 * can bound and test, and the session below can take a socket whose first bytes were already
 * read (the room port sniffs them; the primary's RTMP_PORT hands sockets over).
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { decodeAll, decodeValue } from './amf0.js';
import { ChunkReader, DEFAULT_READER_LIMITS, type ChunkReaderLimits, type RtmpMessage } from './ChunkReader.js';
import { ChunkWriter, type OutgoingMessage } from './ChunkWriter.js';
import type { FlvTag } from './flv.js';
import { Handshake } from './handshake.js';
import { acknowledgement, MessageType, setPeerBandwidth, streamBegin, windowAckSize } from './messages.js';
import { RtmpError, type RtmpErrorCode } from './RtmpError.js';
import { PublishCommands, type CommandContext } from './PublishCommands.js';

export interface RtmpSessionOptions {
  /** Resolves to let `streamKey` publish to `app`; rejects with an Error whose message the publisher is shown. */
  readonly authorize: (app: string, streamKey: string) => Promise<void>;
  /** From the first byte until the handshake is complete. */
  readonly handshakeTimeoutMs?: number;
  /** Longest silence from the publisher (a dropped network sends no close). */
  readonly idleTimeoutMs?: number;
  /** The Window Acknowledgement Size and peer bandwidth we announce. */
  readonly windowBytes?: number;
  readonly readerLimits?: ChunkReaderLimits;
}

export interface RtmpFailure {
  readonly code: RtmpErrorCode;
  readonly message: string;
}

export interface RtmpSessionEvents {
  publish: [{ readonly app: string; readonly streamKey: string }];
  tag: [FlvTag];
  /** The publisher ended its stream (FCUnpublish, deleteStream or closeStream). */
  unpublish: [];
  /** At most once, before `closed`; never an 'error' event, which would throw without a listener. */
  failed: [RtmpFailure];
  closed: [];
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 15_000;
const DEFAULT_WINDOW_BYTES = 2_500_000;
/** After a refusal, how long the publisher may take to read it before its socket is cut. */
const CLOSE_LINGER_MS = 1_000;

/**
 * The server side of one RTMP publisher over any Duplex (a net.Socket, possibly with its first
 * bytes already read: pass them as `head`). Bad input of any kind ends in one `failed` event
 * and a closed socket; nothing throws out of the socket's handlers.
 */
export class RtmpSession extends EventEmitter<RtmpSessionEvents> {
  readonly #socket: Duplex;
  readonly #handshake = new Handshake();
  readonly #reader: ChunkReader;
  readonly #writer = new ChunkWriter();
  readonly #commands: PublishCommands;
  readonly #windowBytes: number;
  readonly #handshakeTimer: NodeJS.Timeout;
  readonly #idleTimer: NodeJS.Timeout;
  #bytesIn = 0;
  #ackedAt = 0;
  /** The window the publisher asked for; ours until it says. */
  #ackWindow: number;
  #closed = false;
  /** Set by the first failure: nothing more is read, even while a refusal lingers. */
  #failed = false;

  constructor(socket: Duplex, options: RtmpSessionOptions, head?: Buffer) {
    super();
    this.#socket = socket;
    this.#reader = new ChunkReader(options.readerLimits ?? DEFAULT_READER_LIMITS);
    this.#windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    this.#ackWindow = this.#windowBytes;
    const context: CommandContext = {
      send: (message) => this.#send(message),
      sendConnectReplies: () => this.#sendConnectReplies(),
      authorize: options.authorize,
      emitPublish: (app, streamKey) => this.emit('publish', { app, streamKey }),
      emitUnpublish: () => this.emit('unpublish'),
      refuse: (code, message) => this.#fail(code, message, true),
      closed: () => this.#closed || this.#failed,
    };
    this.#commands = new PublishCommands(context);
    this.#handshakeTimer = setTimeout(() => this.#fail('HANDSHAKE_TIMEOUT', 'The RTMP handshake did not complete in time'), options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#idleTimer = setTimeout(() => this.#fail('IDLE_TIMEOUT', `The publisher sent nothing for ${idleMs} ms`), idleMs);
    this.#handshakeTimer.unref();
    this.#idleTimer.unref();
    // On the next tick, so the owner's listeners are in place; scheduled before 'data' is
    // listened to (which schedules the socket's own resume), so these bytes come first.
    if (head !== undefined && head.length > 0) process.nextTick(() => this.#onData(head));
    socket.on('data', (bytes: Buffer) => this.#onData(bytes));
    socket.on('error', (error: Error) => this.#fail('SOCKET_ERROR', error.message));
    socket.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops reading (backpressure from the ingest); the idle timeout does not run meanwhile. */
  pause(): void {
    this.#socket.pause();
    clearTimeout(this.#idleTimer);
  }

  resume(): void {
    if (this.#closed) return;
    this.#idleTimer.refresh();
    this.#socket.resume();
  }

  /** Ends an accepted publish with `reason` (an error onStatus the publisher can show), then closes. */
  stop(reason: string): void {
    this.#commands.stop(reason);
    // Not publishing (or refused already): nothing to say, the connection just closes.
    if (!this.#failed) this.close();
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#idleTimer);
    this.#socket.destroy();
    this.emit('closed');
  }

  #onData(bytes: Buffer): void {
    if (this.#closed || this.#failed) return;
    this.#idleTimer.refresh();
    try {
      let rest = bytes;
      if (!this.#handshake.done) {
        const step = this.#handshake.push(bytes);
        if (step.reply !== null) this.#socket.write(step.reply);
        if (!step.done) return;
        clearTimeout(this.#handshakeTimer);
        rest = step.rest;
      }
      this.#countBytes(rest.length);
      for (const message of this.#reader.push(rest)) {
        if (this.#closed || this.#failed) return;
        this.#onMessage(message);
      }
    } catch (error) {
      if (error instanceof RtmpError) this.#fail(error.code, error.message);
      else this.#fail('PROTOCOL_ERROR', `Unexpected error while reading RTMP: ${String(error)}`);
    }
  }

  /** Acknowledgements count the bytes after the handshake (RTMP 1.0, 5.4.3). */
  #countBytes(length: number): void {
    this.#bytesIn += length;
    if (this.#bytesIn - this.#ackedAt < this.#ackWindow) return;
    this.#ackedAt = this.#bytesIn;
    this.#send(acknowledgement(this.#bytesIn % 2 ** 32));
  }

  #onMessage(message: RtmpMessage): void {
    const { typeId, payload } = message;
    if (typeId === MessageType.windowAckSize && payload.length >= 4) {
      this.#ackWindow = Math.max(1, payload.readUInt32BE(0));
    } else if (typeId === MessageType.amf0Command || typeId === MessageType.amf3Command) {
      // An AMF3 command starts with one format byte, then carries AMF0 values all the same.
      const values = decodeAll(typeId === MessageType.amf3Command ? payload.subarray(1) : payload);
      this.#commands.handle(values, message.streamId);
    } else if (this.#commands.publishing && (typeId === MessageType.audio || typeId === MessageType.video)) {
      this.emit('tag', { type: typeId, timestamp: message.timestamp, data: payload });
    } else if (this.#commands.publishing && (typeId === MessageType.amf0Data || typeId === MessageType.amf3Data)) {
      const data = scriptData(typeId === MessageType.amf3Data ? payload.subarray(1) : payload);
      if (data !== null) this.emit('tag', { type: 18, timestamp: message.timestamp, data });
    }
  }

  #sendConnectReplies(): void {
    this.#send(windowAckSize(this.#windowBytes));
    this.#send(setPeerBandwidth(this.#windowBytes));
    if (!this.#socket.destroyed) this.#socket.write(this.#writer.setChunkSize());
    this.#send(streamBegin(0));
  }

  #send(message: OutgoingMessage): void {
    if (!this.#closed && !this.#socket.destroyed) this.#socket.write(this.#writer.write(message));
  }

  #fail(code: RtmpErrorCode, message: string, linger = false): void {
    if (this.#closed || this.#failed) return;
    this.#failed = true;
    this.emit('failed', { code, message });
    if (!linger) {
      this.close();
      return;
    }
    this.#socket.end();
    setTimeout(() => this.close(), CLOSE_LINGER_MS).unref();
  }
}

/**
 * The metadata a publisher sends as `@setDataFrame("onMetaData", {...})`: an FLV file carries it
 * without the `@setDataFrame` name. Other data messages pass as they are.
 */
function scriptData(payload: Buffer): Buffer | null {
  if (payload.length === 0) return null;
  const first = decodeValue(payload, 0);
  return first.value === '@setDataFrame' ? payload.subarray(first.end) : payload;
}
