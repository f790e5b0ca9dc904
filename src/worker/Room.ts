import { raiseStreamWebhooks } from './streamWebhooks.js';
import { openRoomFolder, saveSuspended } from '../hls/suspendedStream.js';
import { listenExclusive } from './listenExclusive.js';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../kit/createLogger.js';
import { ChatRoom } from '../chat/ChatRoom.js';
import { OFFLINE } from '../chat/serverFrames.js';
import { type StreamState } from '../contracts/chatFrames.js';
import type { VerifyResult } from '../chat/tokens.js';
import type { AuthHook } from '../authhook/AuthHook.js';
import { RoomHls } from './RoomHls.js';
import { HlsViewers, VIEWER_WINDOW_MS } from '../hls/HlsViewers.js';
import type { LiveStream, StreamCloseKind, StreamStatus } from '../hls/LiveStream.js';
import { errorBody } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import type { RoomActivity } from '../contracts/ipc.js';
import type { RoomSettings } from '../contracts/records.js';
import type { IngestRoom } from './ingestHttp.js';
import { handleRoomRequest } from './roomRequests.js';
import type { WorkerChat } from './WorkerChat.js';
import type { WorkerMedia } from './WorkerMedia.js';
import type { ConnectionLimiter } from '../net/ConnectionLimiter.js';
import { RoomConnectionGate } from './RoomConnectionGate.js';
import type { ClientAddresses } from '../net/clientAddress.js';
import { startRequestDeadline } from './RequestDeadline.js';
import { FirstByteSniffer } from './FirstByteSniffer.js';
import { RoomIngest } from './RoomIngest.js';
import type { RoomRecorder, RecordingNote } from './RoomRecorder.js';
import { serveRecording } from '../hls/recording/serveRecording.js';
import type { LiveThumbnail } from '../hls/poster/LiveThumbnail.js';
import { serveThumbnail } from '../hls/poster/serveThumbnail.js';

/**
 * Bounds for a room port's HTTP side: slow or idle clients cannot hold sockets forever.
 * Headers must arrive within HEADERS_TIMEOUT_MS, a body within the room's request timeout
 * (RequestDeadline: Node's own would cut an ingest, which lasts as long as the broadcast), and
 * a socket idle for IDLE_TIMEOUT_MS is cut.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export type RoomState = 'new' | 'listening' | 'closed';
/** Why a room closes: deleted (4000), going away (1001; a live stream ends) or a rolling restart (1001; suspended, see LiveStream.close). */
export type RoomCloseKind = StreamCloseKind;

export interface RoomOptions {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  /** The room's creation time; join tokens carry it (see ChatRoom.verifyToken). */
  readonly epoch: number;
  readonly logger: Logger;
  readonly chat: WorkerChat;
  readonly media: WorkerMedia;
  readonly limiter: ConnectionLimiter;
  /** Where connections come from (the socket's peer; behind TRUST_PROXY, the forwarded client). */
  readonly addresses: ClientAddresses;
  /** A request body must arrive within this (ROOM_REQUEST_TIMEOUT_MS), except a streaming ingest's. */
  readonly requestTimeoutMs: number;
  /**
   * Told when the room's activity (clients, viewers, messages, live) may have changed, for the
   * primary's room list; `urgent` when the stream went live or ended.
   */
  readonly onActivity?: (room: Room, urgent: boolean) => void;
  /** Tells the primary about the room's recordings (see RoomRecorder). */
  readonly onRecording?: (note: RecordingNote) => void;
}

/**
 * One room, listening on its own port inside the worker that owns it. The port is bound with
 * `exclusive: true` so the cluster primary never shares or proxies it. It serves the room's
 * HTTP routes, `/chat` (the room's ChatRoom), `/hls/`, and the producers of its LiveStream
 * (RoomIngest: `/ingest`, `/whip`, RTMP, and SRT on the UDP port of the same number).
 */
export class Room implements IngestRoom {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly chat: ChatRoom;
  readonly stream: LiveStream;
  readonly viewers = new HlsViewers();
  readonly logger: Logger;
  /** The port's listener: it tells RTMP from HTTP by a connection's first byte (#sniffer). */
  readonly #port: net.Server;
  /** Serves the HTTP connections #port hands it; it never listens itself. */
  readonly #server: http.Server;
  readonly #sniffer: FirstByteSniffer;
  /** The producers' protocols on the port (and SRT on its UDP twin). */
  readonly #ingest: RoomIngest;
  readonly #recorder: RoomRecorder;
  readonly #workerChat: WorkerChat;
  readonly #media: WorkerMedia;
  readonly #gate: RoomConnectionGate;
  readonly #addresses: ClientAddresses;
  readonly #requestTimeoutMs: number;
  readonly #hls: RoomHls;
  readonly #thumbnail: LiveThumbnail;
  readonly #onActivity: RoomOptions['onActivity'];
  /** Runs out when the last HLS player seen is no longer counted: the viewer count drops then without a request. */
  #viewersExpire: NodeJS.Timeout | undefined;
  #state: RoomState = 'new';

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.port = options.port;
    this.settings = options.settings;
    this.#workerChat = options.chat;
    this.#media = options.media;
    this.#addresses = options.addresses;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.logger = options.logger.child({ room: options.name, port: options.port });
    this.#gate = new RoomConnectionGate(options.limiter, options.addresses, this.logger);
    this.#onActivity = options.onActivity;
    const context = options.chat.context;
    // A message the store took changes the room's count: reported once the room has counted it.
    this.chat = new ChatRoom(
      options.name,
      options.settings,
      {
        ...context,
        persist: (record) => context.persist(record).finally(this.#activityChanged),
        connectionsChanged: this.#activityChanged,
        stopStream: (by, reason) => this.stopStream(`moderator ${by.name}`, reason) !== null,
      },
      options.epoch,
    );
    this.stream = options.media.streamFor(options, this.logger);
    this.stream.on('status', (status) => this.#streamChanged(status));
    this.#thumbnail = options.media.thumbnailFor(this.stream);
    this.#thumbnail.on('availability', this.#activityChanged);
    this.#recorder = options.media.recorderFor(options, this.logger, (note) => options.onRecording?.(note));
    this.#recorder.attach(this.stream);
    raiseStreamWebhooks(this, this.stream, options.chat.webhooks, () => this.#recorder.recording);
    this.#ingest = new RoomIngest({
      room: this,
      port: this.port,
      media: options.media,
      gate: this.#gate,
      open: () => this.#state === 'listening',
      report: this.#activityChanged,
    });
    this.#hls = new RoomHls({
      room: this.name,
      dir: options.media.roomDir(this.name),
      stream: this.stream,
      cache: options.media.hlsCache,
      heldLimits: options.media.heldLimits,
      counters: options.media.counters,
      address: (req) => this.#addresses.of(req),
      playerSeen: (req) => this.#playerSeen(req),
    });
    // Check header and idle timeouts every second (Node's default is every 30 s), so slow clients
    // cannot hold sockets for much longer than the limits say.
    this.#server = http.createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => void this.#request(req, res));
    this.#server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.#server.requestTimeout = 0;
    // The idle timeout is set per HTTP request (#request), not server-wide: a server-wide one
    // leaves a Timeout on every upgraded chat socket for as long as it stays open.
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    // noDelay as Node's HTTP server sets it on the sockets it accepts itself: chat frames and
    // RTMP replies are small writes that must not wait for the peer's delayed ACK.
    this.#port = net.createServer({ noDelay: true }, (socket) => this.#connected(socket));
    // Until its first byte, a connection has HEADERS_TIMEOUT_MS, like an HTTP request's headers.
    this.#sniffer = new FirstByteSniffer({
      timeoutMs: HEADERS_TIMEOUT_MS,
      logger: this.logger,
      accepting: () => this.#state === 'listening',
      rtmp: (socket, head) => this.#ingest.rtmp(socket, head),
      // Handed to the HTTP server the documented way.
      http: (socket) => this.#server.emit('connection', socket),
    });
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      this.logger.debug({ err: error }, 'bad request on room port');
      // Answer, then close the socket for good: a client that keeps sending (slowloris) is cut.
      if (socket.writable) socket.end(clientErrorAnswer(error.code), () => socket.destroy());
      else socket.destroy();
    });
  }

  get state(): RoomState {
    return this.#state;
  }

  get clients(): number {
    return this.chat.clientCount;
  }

  /** The room's creation time (join tokens carry it). */
  get epoch(): number {
    return this.chat.epoch;
  }

  verifyToken(token: string): Promise<VerifyResult> {
    return this.chat.verifyToken(token);
  }

  /** The worker's auth hook (AUTH_HOOK_URL), shared with chat joins. */
  get authHook(): AuthHook | undefined {
    return this.chat.ctx.authHook;
  }

  addressOf(req: http.IncomingMessage): string {
    return this.#addresses.of(req);
  }

  /** Low-Latency HLS requests held now. */
  get hlsHeld(): number {
    return this.#hls.held;
  }

  get live(): boolean {
    return this.stream.status.live;
  }

  /** Chat clients plus players that fetched the playlist lately from an address without a chat connection. */
  get viewerCount(): number {
    return this.chat.clientCount + this.viewers.countExcluding(this.chat.clientAddresses());
  }

  /** What the primary shows of the room (see RoomActivityReporter). */
  activity(): RoomActivity {
    return { name: this.name, epoch: this.epoch, clients: this.clients, viewers: this.viewerCount, messages: this.chat.messageCount, live: this.live, liveSince: this.stream.status.since, thumbnail: this.#thumbnail.current !== null, ingest: this.stream.ingest() };
  }

  /**
   * Readies the room's folder, binds its port and ingest, then takes over a stream the previous
   * worker suspended (only once listening: a room that fails to listen puts the note back for
   * the next attempt instead of holding a stream nobody can reach).
   */
  async listen(): Promise<void> {
    const dir = this.#media.roomDir(this.name);
    const suspended = await openRoomFolder(dir);
    this.#media.hlsCache.clearRoom(this.name);
    try {
      await this.#bind();
    } catch (error) {
      if (suspended) await saveSuspended(dir, suspended);
      throw error;
    }
    this.#recorder.continueFrom(suspended?.recording ?? null);
    if (suspended) this.stream.resumeSuspended(suspended);
    this.logger.info('room listening');
  }

  async #bind(): Promise<void> {
    await listenExclusive(this.#port, this.port);
    this.#state = 'listening';
    await this.#ingest.listen();
    // The HTTP server gets its connections from #port and never listens: 'listening' is what
    // starts its connection tracking (the headers and idle timeout checks of every second).
    this.#server.emit('listening');
    this.#port.on('error', (error) => this.logger.error({ err: error }, 'room server error'));
    this.#server.on('error', (error) => this.logger.error({ err: error }, 'room server error'));
  }

  /** Tells chat clients, stops listening and drops open connections. Safe to call twice. */
  async close(reason: string, kind: RoomCloseKind = 'deleted'): Promise<void> {
    if (this.#state === 'closed') return;
    const wasListening = this.#state === 'listening';
    this.#state = 'closed';
    clearTimeout(this.#viewersExpire);
    this.chat.close(reason, kind === 'deleted' ? 'ROOM_CLOSED' : 'GOING_AWAY');
    this.#hls.close();
    this.#thumbnail.close();
    await this.stream.close(reason, kind, this.#recorder.carried);
    await this.#recorder.close();
    // The publishers' connections that the stream's end left (a WHIP peer still connecting, RTMP sessions) and SRT.
    const ingestClosed = this.#ingest.close(reason);
    this.#media.hlsCache.clearRoom(this.name);
    if (!wasListening) {
      await ingestClosed;
      return;
    }
    await new Promise<void>((resolve) => {
      this.#port.close(() => resolve());
      // Stops the HTTP server's timeout checks and drops its idle keep-alive connections.
      this.#server.close();
      this.#sniffer.close();
      // Give close frames a moment to leave before the remaining sockets are cut.
      setTimeout(() => this.#server.closeAllConnections(), 200).unref();
    });
    await ingestClosed;
    this.logger.info({ reason }, 'room closed');
  }

  /** A connection to the room's port: counted by the per-address gate, then told apart by its first byte. */
  #connected(socket: Socket): void {
    if (this.#state !== 'listening') {
      socket.destroy();
      return;
    }
    this.#gate.connected(socket);
    this.#sniffer.sniff(socket);
  }

  /** A publisher the primary's shared RTMP port handed over (see RoomIngest.adoptRtmp). */
  adoptRtmp(socket: Socket, received: readonly Buffer[]): void {
    this.#ingest.adoptRtmp(socket, received);
  }

  async #request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!this.#gate.admitsRequest(req)) {
      res.setHeader('connection', 'close');
      sendJson(res, 429, errorBody('RATE_LIMITED', 'Too many connections from your address'));
      return;
    }
    req.socket.setTimeout(IDLE_TIMEOUT_MS);
    const deadline = startRequestDeadline(req, res, this.#requestTimeoutMs, this.logger, () => this.#addresses.of(req));
    const path = (req.url ?? '/').split('?', 1)[0]!;
    try {
      if (this.#ingest.serves(path)) await this.#ingest.request(path, req, res, deadline);
      else if (path.startsWith('/hls/')) {
        await this.#hls.serve(path.slice(5), req.url ?? path, req, res);
      } else if (path === '/thumbnail.jpg') serveThumbnail(this.#thumbnail, req, res);
      else if (path.startsWith('/recordings/')) await serveRecording(this.#media.recordingsDir(this.name), path.slice(12), req, res);
      else handleRoomRequest(this, req, res);
    } catch (error) {
      this.logger.error({ err: error, path }, 'room request failed');
      if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL', 'Internal server error'));
      else res.destroy();
    }
  }

  /** One listener for every upgrading socket of the room (it stays attached after the upgrade). */
  readonly #onUpgradeSocketError = (error: Error): void => this.logger.debug({ err: error }, 'socket error on an upgraded connection');

  #upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?', 1)[0];
    if ((path !== '/chat' && path !== '/ingest') || this.#state !== 'listening') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', this.#onUpgradeSocketError);
    const address = this.#addresses.of(request);
    if (!this.#gate.admitsUpgrade(request, address, socket)) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (path === '/chat') {
      this.#workerChat.upgrade(this.chat, request, socket, head, address);
    } else this.#ingest.upgrade(request, socket, head);
  }

  /**
   * Ends the broadcast now (a moderator's `stopStream`, the admin API): the producer is told why
   * in its protocol and refused for STREAM_STOP_REFUSE_SECONDS, and the chat gets a system line.
   * Returns the producer stopped, or null when nobody was streaming.
   */
  stopStream(by: string, reason: string | undefined): string | null {
    const message = `The stream was stopped by ${by}${reason ? `: ${reason}` : ''}`;
    const producer = this.stream.stop(message);
    if (producer !== null) {
      this.chat.system(message);
      this.logger.info({ producer, by, reason }, 'stream stopped');
    }
    return producer;
  }

  /** Revocations changed: a live producer whose token they cover is stopped (chat connections are the ChatRoom's). */
  enforceRevocations(): void {
    const policy = this.chat.policy;
    this.stream.stopIfRevoked((producer, issuedAt) => policy.tokenRevoked(producer, this.name, issuedAt));
  }

  /** Clients, viewers or messages may have changed (a closed room reports nothing more). */
  readonly #activityChanged = (): void => {
    if (this.#state !== 'closed') this.#onActivity?.(this, false);
  };

  /** A player fetched the playlist: counted as a viewer until VIEWER_WINDOW_MS after its last fetch. */
  #playerSeen(req: http.IncomingMessage): void {
    this.viewers.touch(this.#addresses.of(req), req.headers['user-agent']);
    this.#activityChanged();
    if (this.#viewersExpire) this.#viewersExpire.refresh();
    else this.#viewersExpire = setTimeout(this.#activityChanged, VIEWER_WINDOW_MS + 100).unref();
  }

  #streamChanged(status: StreamStatus): void {
    const stream: StreamState = status.live ? { live: true, url: status.url, path: status.path, since: status.since } : OFFLINE;
    if (stream.live === this.chat.stream.live) return;
    this.chat.setStream(stream);
    if (this.#state !== 'closed') this.#onActivity?.(this, true);
    this.logger.info({ live: stream.live }, stream.live ? 'stream live' : 'stream ended');
  }
}

function clientErrorAnswer(code: string | undefined): string {
  const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}
