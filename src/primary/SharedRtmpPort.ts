import net, { type Socket } from 'node:net';
import { claimedRoom, verifyRoomToken } from '../chat/tokens.js';
import type { RtmpHandoff } from '../contracts/ipc.js';
import type { Logger } from '../kit/createLogger.js';
import { ERRORS, type ErrorCode } from '../kit/errors.js';
import { listenServer } from '../kit/listen.js';
import type { PrimarySideChannel } from '../ipc/endpoints.js';
import { limitKey, normalizeAddress } from '../net/addresses.js';
import { ConnectionLimiter } from '../net/ConnectionLimiter.js';
import { RTMP_APP } from '../rtmp/PublishCommands.js';
import { RtmpSession } from '../rtmp/RtmpSession.js';

/** Handshake and commands up to publish must be done within this; a publisher needs a few round trips. */
export const PRE_PUBLISH_TIMEOUT_MS = 10_000;
/** Bytes the primary reads before publish at most: a publisher's commands are a few hundred. */
export const MAX_PRE_PUBLISH_BYTES = 64 * 1024;

/** Where a room lives now, as the shared port needs it. */
export interface RtmpRoute {
  /** The room's creation time: tokens carry it. */
  readonly epoch: number;
  /** The channel of the worker that owns the room, when the room is open there. */
  readonly channel: PrimarySideChannel | undefined;
}

export interface SharedRtmpPortOptions {
  readonly port: number;
  readonly tokenKey: Uint8Array;
  /** The room's route, or undefined when this server has no such room. */
  readonly route: (room: string) => RtmpRoute | undefined;
  /** False while the server drains: no new publishes. */
  readonly accepting: () => boolean;
  readonly maxConnectionsPerIp: number;
  readonly logger: Logger;
  /** PRE_PUBLISH_TIMEOUT_MS unless a test says. */
  readonly prePublishTimeoutMs?: number;
}

/** A publish the primary let through: the room, and the worker channel it goes to. */
interface Target {
  readonly room: string;
  readonly channel: PrimarySideChannel;
}

/**
 * The optional shared RTMP port (RTMP_PORT, e.g. 1935), in the primary, so OBS's default
 * `rtmp://HOST/live` + stream key works. For each connection it runs an RtmpSession in handoff
 * mode up to the publish command, finds the room by the stream key (a producer token: its
 * signature, room, epoch and role are checked here; the worker checks it again, with bans and
 * revocations), and sends the socket, with the bytes read after the handshake, to the worker
 * that owns the room. The media then flows straight into that worker: the primary never reads
 * past the publish command. Refusals are RTMP's own (NetStream.Publish.BadName with the reason).
 */
export class SharedRtmpPort {
  readonly #options: SharedRtmpPortOptions;
  readonly #logger: Logger;
  readonly #server: net.Server;
  readonly #limiter: ConnectionLimiter;
  /** Connections not handed over yet: cut at close. */
  readonly #sessions = new Set<RtmpSession>();
  #closed = false;

  constructor(options: SharedRtmpPortOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#limiter = new ConnectionLimiter(options.maxConnectionsPerIp);
    // Connect's replies are several small writes: without noDelay each waits for a delayed ACK.
    this.#server = net.createServer({ noDelay: true }, (socket) => this.#connected(socket));
  }

  /** Resolves with the port bound (the system's pick for 0); a port that cannot be used is a ConfigError. */
  async listen(): Promise<number> {
    const port = await listenServer(this.#server, this.#options.port, 'RTMP_PORT');
    this.#server.on('error', (error) => this.#logger.error({ err: error }, 'rtmp port error'));
    this.#logger.info({ rtmpPort: port }, 'shared rtmp port listening');
    return port;
  }

  /**
   * Stops listening and cuts the connections not handed over yet. Handed-over publishers belong
   * to their workers and are not waited for. Safe to call twice.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Not awaited: Node would wait for every socket sent to a worker to close there too.
    this.#server.close();
    for (const session of this.#sessions) session.close();
    this.#sessions.clear();
  }

  #connected(socket: Socket): void {
    socket.on('error', () => undefined);
    const address = limitKey(normalizeAddress(socket.remoteAddress ?? '') ?? 'unknown');
    if (this.#closed || !this.#limiter.admit(address, socket)) {
      if (!this.#closed) this.#logger.warn({ address }, 'rtmp connection refused: too many from one address');
      socket.destroy();
      return;
    }
    let target: Target | undefined;
    const timeoutMs = this.#options.prePublishTimeoutMs ?? PRE_PUBLISH_TIMEOUT_MS;
    const session = new RtmpSession(socket, {
      handoff: { maxBytes: MAX_PRE_PUBLISH_BYTES },
      handshakeTimeoutMs: timeoutMs,
      authorize: async (app, key) => {
        target = await this.#authorize(app, key);
      },
    });
    this.#sessions.add(session);
    const deadline = setTimeout(() => {
      this.#logger.debug({ address }, 'rtmp publisher did not publish in time');
      session.close();
    }, timeoutMs);
    deadline.unref();
    session.on('failed', (failure) => this.#logger.debug({ address, code: failure.code, reason: failure.message }, 'rtmp session refused on the shared port'));
    session.once('closed', () => {
      clearTimeout(deadline);
      this.#sessions.delete(session);
    });
    session.once('handoff', () => {
      clearTimeout(deadline);
      this.#sessions.delete(session);
      if (target !== undefined) void this.#handOver(session, socket, target);
    });
  }

  /** Resolves with where the publish goes, or rejects with the reason the publisher is shown. */
  async #authorize(app: string, key: string): Promise<Target> {
    if (this.#closed || !this.#options.accepting()) throw refusal('NOT_ACCEPTING', 'The server is draining and takes no new streams');
    if (app !== RTMP_APP) throw new Error(`Unknown RTMP application "${app}": publish to rtmp://HOST/${RTMP_APP} with a producer token as the stream key`);
    const room = claimedRoom(key);
    if (room === undefined) throw refusal('TOKEN_INVALID', 'The stream key is not a producer token');
    const route = this.#options.route(room);
    if (route === undefined) throw refusal('ROOM_NOT_FOUND', `No room named ${room} on this server`);
    const verified = await verifyRoomToken(this.#options.tokenKey, key, { room, epoch: route.epoch });
    if (!verified.ok) throw refusal('TOKEN_INVALID', verified.message);
    if (verified.claims.role !== 'producer') throw refusal('FORBIDDEN', `A ${verified.claims.role} token may not stream; ask for a producer token`);
    // Asked again: the room's worker may have gone while the token was checked.
    const channel = this.#options.route(room)?.channel;
    if (channel === undefined || channel.closed) throw refusal('WORKER_UNAVAILABLE', `The worker of room ${room} is restarting; try again shortly`);
    return { room, channel };
  }

  /** Sends the socket to the room's worker; if it cannot leave, the publisher is disconnected. */
  async #handOver(session: RtmpSession, socket: Socket, target: Target): Promise<void> {
    const { received } = session.detach();
    // Not this process's to count any more: it closes in the worker.
    this.#limiter.release(socket);
    const handoff: RtmpHandoff = { room: target.room, received: received.map((piece) => piece.toString('base64')) };
    try {
      await target.channel.sendSocket('rtmp.handoff', handoff, socket);
      this.#logger.debug({ room: target.room }, 'rtmp publisher handed to its worker');
    } catch (error) {
      this.#logger.warn({ err: error, room: target.room }, 'rtmp publisher not handed over (its worker went away); disconnected');
      socket.destroy();
    }
  }
}

/** A refusal the publisher reads in its log: the error code from the catalog, then the reason. */
function refusal(code: ErrorCode, reason: string = ERRORS[code].message): Error {
  return new Error(`${code}: ${reason}`);
}
