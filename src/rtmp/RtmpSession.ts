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
import { HandoffRecorder } from './HandoffRecorder.js';
import { PublishCommands, publishStart, type CommandContext } from './PublishCommands.js';

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
  /**
   * The primary's shared RTMP port: the session runs as far as the publish command, stops
   * reading there and, once `authorize` lets it through, emits `handoff` instead of answering
   * (the owning worker answers). Every byte after the handshake is kept for the worker, at most
   * `maxBytes` (more fails the session with TOO_LARGE).
   */
  readonly handoff?: { readonly maxBytes: number };
  /**
   * A worker taking over a session the primary began (see `handoff`): the handshake is over, and
   * these are the bytes the primary read after it, in the pieces it read them (acknowledgements
   * fall where the pieces end). They go through the same code with our output muted, which
   * rebuilds exactly the state the primary's session had (chunk streams, chunk sizes,
   * acknowledgements, the app); the publish command un-mutes, and this session answers it.
   */
  readonly resume?: readonly Buffer[];
}

/** What the primary's session hands over: the worker continues from `received` (see RtmpSessionOptions.resume). */
export interface RtmpHandover {
  readonly app: string;
  readonly streamKey: string;
  readonly received: readonly Buffer[];
}

export interface RtmpFailure {
  readonly code: RtmpErrorCode;
  readonly message: string;
}

export interface RtmpSessionEvents {
  publish: [{ readonly app: string; readonly streamKey: string }];
  /** Handoff mode: the publish was let through; call `detach()` and pass the socket on. */
  handoff: [{ readonly app: string; readonly streamKey: string }];
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
/**
 * After a refusal or a stop, how long the publisher may take to read it before its socket is
 * cut (it usually hangs up at once). Cutting a socket with unread bytes sends a reset, and a
 * reset makes the publisher's kernel drop what it had not read yet: the reason itself.
 */
const CLOSE_LINGER_MS = 3_000;

/**
 * The server side of one RTMP publisher over any Duplex (a net.Socket, possibly with its first
 * bytes already read: pass them as `head`). Bad input of any kind ends in one `failed` event
 * and a closed socket; nothing throws out of the socket's handlers.
 */
export class RtmpSession extends EventEmitter<RtmpSessionEvents> {
  readonly #socket: Duplex;
  /** Null when resumed: the primary did the handshake. */
  readonly #handshake: Handshake | null;
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
  /** A refusal or stop is on its way to the publisher (see CLOSE_LINGER_MS). */
  #lingering = false;
  /** Replaying what the primary read: nothing is written until the publish command. */
  #muted: boolean;
  /** Handoff mode: the bytes after the handshake, until `detach()`. */
  readonly #recorder: HandoffRecorder | null;
  /** Handoff mode, from the publish command on: the socket is paused and nothing more is parsed. */
  #holding = false;
  /** Handoff mode: the publish `authorize` let through. */
  #handedOver: { readonly app: string; readonly streamKey: string } | null = null;
  readonly #onSocketData = (bytes: Buffer): void => this.#onData(bytes);
  readonly #onSocketError = (error: Error): void => this.#fail('SOCKET_ERROR', error.message);
  readonly #onSocketClose = (): void => this.#closeNow();

  constructor(socket: Duplex, options: RtmpSessionOptions, head?: Buffer) {
    super();
    this.#socket = socket;
    this.#reader = new ChunkReader(options.readerLimits ?? DEFAULT_READER_LIMITS);
    this.#windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    this.#ackWindow = this.#windowBytes;
    this.#handshake = options.resume === undefined ? new Handshake() : null;
    this.#muted = options.resume !== undefined;
    this.#recorder = options.handoff === undefined ? null : new HandoffRecorder(options.handoff.maxBytes);
    const context: CommandContext = {
      send: (message) => this.#send(message),
      sendConnectReplies: () => this.#sendConnectReplies(),
      authorize: (app, streamKey) => {
        if (this.#recorder !== null) this.#hold();
        return options.authorize(app, streamKey);
      },
      accepted: (app, streamKey, streamId) => {
        if (this.#recorder !== null) {
          this.#handedOver = { app, streamKey };
          this.emit('handoff', this.#handedOver);
          return;
        }
        this.#send(publishStart(streamId, app));
        this.emit('publish', { app, streamKey });
      },
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
    if (this.#handshake === null) clearTimeout(this.#handshakeTimer);
    // On the next tick, so the owner's listeners are in place; scheduled before 'data' is
    // listened to (which schedules the socket's own resume), so these bytes come first.
    if (options.resume !== undefined) {
      const replay = options.resume;
      process.nextTick(() => this.#replay(replay));
    } else if (head !== undefined && head.length > 0) process.nextTick(() => this.#onData(head));
    socket.on('data', this.#onSocketData);
    socket.on('error', this.#onSocketError);
    socket.on('close', this.#onSocketClose);
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

  /**
   * Handoff mode, after `handoff`: lets go of the socket without closing it and answers every
   * byte read after the handshake. The socket is left paused and not reading, so what the
   * publisher sends next stays in the kernel for whoever takes the socket over.
   */
  detach(): RtmpHandover & { readonly socket: Duplex } {
    if (this.#recorder === null || this.#handedOver === null) throw new Error('detach() is for a session in handoff mode, after its handoff event');
    const { app, streamKey } = this.#handedOver;
    this.#closed = true;
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#idleTimer);
    this.#socket.off('data', this.#onSocketData);
    this.#socket.off('error', this.#onSocketError);
    this.#socket.off('close', this.#onSocketClose);
    return { app, streamKey, received: this.#recorder.drain(this.#socket), socket: this.#socket };
  }

  /** Ends an accepted publish with `reason` (an error onStatus the publisher can show), then closes. */
  stop(reason: string): void {
    this.#commands.stop(reason);
    // Not publishing (or refused already): nothing to say, the connection just closes.
    if (!this.#failed) this.close();
  }

  /** Idempotent. A session delivering a refusal or a stop closes when its publisher hangs up, or at the end of the linger. */
  close(): void {
    if (this.#lingering) return;
    this.#closeNow();
  }

  #closeNow(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#idleTimer);
    this.#socket.destroy();
    this.emit('closed');
  }

  /** The resumed session's first bytes: what the primary read, ending at or after the publish command. */
  #replay(pieces: readonly Buffer[]): void {
    for (const piece of pieces) this.#onData(piece);
    if (this.#muted) this.#fail('PROTOCOL_ERROR', 'The handed-over RTMP bytes end before the publish command');
  }

  /** Handoff mode, at the publish command: nothing more is parsed here (the worker will). */
  #hold(): void {
    this.#holding = true;
    this.#socket.pause();
  }

  #onData(bytes: Buffer): void {
    if (this.#closed || this.#failed) return;
    this.#idleTimer.refresh();
    try {
      let rest = bytes;
      if (this.#handshake !== null && !this.#handshake.done) {
        const step = this.#handshake.push(bytes);
        if (step.reply !== null) this.#write(step.reply);
        if (!step.done) return;
        clearTimeout(this.#handshakeTimer);
        rest = step.rest;
      }
      this.#recorder?.record(rest);
      if (this.#holding) return;
      this.#countBytes(rest.length);
      for (const message of this.#reader.push(rest)) {
        if (this.#closed || this.#failed || this.#holding) return;
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
      // The primary stopped at this command: from here on the resumed session speaks itself.
      if (this.#muted && values[0] === 'publish') this.#muted = false;
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
    this.#write(this.#writer.setChunkSize());
    this.#send(streamBegin(0));
  }

  /** The writer runs even while muted: its chunk size is state a resumed session must share. */
  #send(message: OutgoingMessage): void {
    this.#write(this.#writer.write(message));
  }

  #write(bytes: Buffer): void {
    if (!this.#muted && !this.#closed && !this.#socket.destroyed) this.#socket.write(bytes);
  }

  #fail(code: RtmpErrorCode, message: string, linger = false): void {
    if (this.#closed || this.#failed) return;
    this.#failed = true;
    this.emit('failed', { code, message });
    if (!linger) {
      this.close();
      return;
    }
    // Read (and drop) what the publisher still sends, so the socket ends with a FIN after the
    // reason rather than a reset that would discard it.
    this.#lingering = true;
    this.#socket.resume();
    this.#socket.end();
    setTimeout(() => this.#closeNow(), CLOSE_LINGER_MS).unref();
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
