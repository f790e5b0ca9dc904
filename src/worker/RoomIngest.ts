import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../kit/createLogger.js';
import type { RtmpSession } from '../rtmp/RtmpSession.js';
import { SrtListener } from '../srt/SrtListener.js';
import { handleIngestRequest, type IngestRoom } from './ingestHttp.js';
import { acceptRtmp, refuseRtmp } from './ingestRtmp.js';
import { authorizeSrtCaller } from './ingestSrt.js';
import { WHIP_PATH, WhipIngest } from './ingestWhip.js';
import type { RequestDeadline } from './RequestDeadline.js';
import type { RoomConnectionGate } from './RoomConnectionGate.js';
import type { WorkerMedia } from './WorkerMedia.js';

/** While a producer streams, its ingest state (bitrate, keyframes, warnings) reaches the primary's room info this often. */
const INGEST_REPORT_MS = 2_000;

export interface RoomIngestOptions {
  readonly room: IngestRoom;
  readonly port: number;
  readonly media: WorkerMedia;
  /** The room port's per-address gate: RTMP publishers count like any connection. */
  readonly gate: RoomConnectionGate;
  /** Whether the room's port is listening (not closing): a publisher handed over later is refused. */
  readonly open: () => boolean;
  /** The ingest state changed (every INGEST_REPORT_MS while a producer streams, and once after). */
  readonly report: () => void;
}

/**
 * Every way a producer reaches a room's stream through its port: `/ingest` over HTTP and
 * WebSocket, WHIP (`/whip`), RTMP (told apart by its first byte, or handed over by the primary's
 * shared RTMP port) and SRT on the UDP port of the same number. It owns the publishers'
 * connections that the stream does not (RTMP sessions, WHIP peers, the SRT listener), so that
 * they close with the room, and reports the ingest state while a producer streams.
 */
export class RoomIngest {
  readonly #options: RoomIngestOptions;
  readonly #room: IngestRoom;
  readonly #logger: Logger;
  readonly #rtmp = new Set<RtmpSession>();
  /** WebRTC publishers (`/whip`): their peer connections close with the room. */
  readonly #whip: WhipIngest;
  /** SRT publishers on the UDP port of the same number (see SrtListener); null when that port could not be bound. */
  #srt: SrtListener | null = null;
  #reports: NodeJS.Timeout | undefined;

  constructor(options: RoomIngestOptions) {
    this.#options = options;
    this.#room = options.room;
    this.#logger = options.room.logger;
    this.#whip = new WhipIngest(options.room, options.media.whip);
  }

  /** Once the room's port listens: SRT, and the ingest state reports. */
  async listen(): Promise<void> {
    await this.#listenSrt();
    // One more report after the ingest ends, so the room info drops it.
    let streaming = false;
    this.#reports = setInterval(() => {
      const now = this.#room.stream.ingest() !== null;
      if (now || streaming) this.#options.report();
      streaming = now;
    }, INGEST_REPORT_MS).unref();
  }

  /** Whether an HTTP request to `path` is an ingest's (`/ingest`, `/whip`, `/whip/<id>`). */
  serves(path: string): boolean {
    return path === '/ingest' || path === WHIP_PATH || path.startsWith(`${WHIP_PATH}/`);
  }

  /** An HTTP request to a path it serves. */
  request(path: string, req: http.IncomingMessage, res: http.ServerResponse, deadline: RequestDeadline): Promise<void> {
    return path === '/ingest' ? handleIngestRequest(this.#room, req, res, deadline) : this.#whip.handle(path, req, res);
  }

  /** A WebSocket producer on `/ingest` (admitted by the gate already). */
  upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#options.media.ingest.upgrade(this.#room, request, socket, head).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'ingest upgrade failed');
      socket.destroy();
    });
  }

  /** An RTMP publisher on the room's port (see ingestRtmp); a connection over the per-address cap is cut at once. */
  rtmp(socket: Socket, head: Buffer): void {
    if (!this.#options.gate.admitsSocket(socket)) {
      socket.destroy();
      return;
    }
    this.#track(acceptRtmp(this.#room, socket, { head }));
  }

  /**
   * A publisher the primary's shared RTMP port handed over, with the bytes it read after the
   * handshake: counted by the per-address gate like a connection to the room's port.
   */
  adoptRtmp(socket: Socket, received: readonly Buffer[]): void {
    if (!this.#options.open()) {
      refuseRtmp(socket, received, `ROOM_NOT_FOUND: The room ${this.#room.name} is closing`);
      return;
    }
    const { gate } = this.#options;
    gate.connected(socket);
    if (!gate.admitsSocket(socket)) {
      socket.destroy();
      return;
    }
    this.#track(acceptRtmp(this.#room, socket, { resume: received }));
  }

  /**
   * With the room: WHIP peers still connecting (a publishing one went with the stream's end) and
   * RTMP publishers now, then the SRT listener.
   */
  async close(reason: string): Promise<void> {
    clearInterval(this.#reports);
    this.#whip.close(reason);
    for (const session of this.#rtmp) session.close();
    await this.#srt?.close();
  }

  #track(session: RtmpSession): void {
    this.#rtmp.add(session);
    session.once('closed', () => this.#rtmp.delete(session));
  }

  /**
   * SRT on the UDP port of the room's number. It is bound even where the ffmpeg has no SRT, so
   * that a caller gets a rejection that says so rather than a timeout. A UDP port taken by
   * another program costs the room its SRT, not its chat: the log says so.
   */
  async #listenSrt(): Promise<void> {
    const { port, media } = this.#options;
    const srt = new SrtListener({ port, logger: this.#logger, authorize: (caller) => authorizeSrtCaller(this.#room, media, caller) });
    try {
      await srt.listen();
      // The room may have closed meanwhile.
      if (!this.#options.open()) await srt.close();
      else this.#srt = srt;
    } catch (error) {
      this.#logger.warn({ err: error }, `SRT is off in this room: UDP port ${port} cannot be bound`);
    }
  }
}
