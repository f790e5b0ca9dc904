import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/Config.js';
import type { Logger } from '../log/createLogger.js';
import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { CacheSnapshot } from '../ipc/messages.js';
import type { ChatContext, ChatLimits } from '../chat/ChatContext.js';
import { ChatPolicy } from '../chat/ChatPolicy.js';
import type { ChatRoom } from '../chat/ChatRoom.js';
import { MessageIdGenerator } from '../chat/messageIds.js';
import { LIMITS } from '../chat/protocol.js';
import { tokenSecret } from '../chat/tokens.js';
import { WriteCoalescer } from '../chat/WriteCoalescer.js';
import { MessageBatcher } from './MessageBatcher.js';
import type { WorkerCounters } from './WorkerCounters.js';

/** A history page not read by then is answered HISTORY_UNAVAILABLE; the primary skips reading it. */
const HISTORY_TIMEOUT_MS = 5_000;

/**
 * The chat services of one worker, shared by its rooms: the WebSocket server (no listener of
 * its own: each room port hands it upgrades), the policy from the primary's cache, message
 * batching to the primary, and the write coalescer.
 */
export class WorkerChat {
  readonly context: ChatContext;
  readonly #wss: WebSocketServer;
  readonly #defaults: { chatRate: number; chatBurst: number };
  #policy: ChatPolicy;

  constructor(config: Config, channel: WorkerSideChannel, logger: Logger, counters: WorkerCounters) {
    this.#defaults = { chatRate: config.chatRate, chatBurst: config.chatBurst };
    this.#policy = new ChatPolicy(undefined, this.#defaults);
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: LIMITS.maxFrameBytes,
      clientTracking: false,
    });
    const batcher = new MessageBatcher(channel);
    const limits: ChatLimits = {
      sendBufferBytes: config.chatSendBufferBytes,
      heartbeatMs: config.chatHeartbeatMs,
      joinTimeoutMs: 10_000,
    };
    this.context = {
      logger: logger.child({ component: 'chat' }),
      writer: new WriteCoalescer(),
      ids: new MessageIdGenerator(),
      tokenSecret: tokenSecret(config.key),
      limits,
      counters,
      policy: () => this.#policy,
      persist: (record) => batcher.persist(record),
      loadHistory: (room, before, limit) => channel.request('history.get', { room, before, limit, deadline: Date.now() + HISTORY_TIMEOUT_MS }, HISTORY_TIMEOUT_MS),
      addBan: (ban) => channel.request('ban.add', ban),
    };
  }

  /** A new cache snapshot: rebuild the policy once, then let every room apply it. */
  usePolicy(snapshot: CacheSnapshot, rooms: Iterable<ChatRoom>): void {
    this.#policy = new ChatPolicy(snapshot, this.#defaults);
    for (const room of rooms) room.applyPolicy(this.#policy);
  }

  /** Completes a `/chat` upgrade on a room port and hands the socket to the room. */
  upgrade(room: ChatRoom, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => room.accept(ws, socket, request));
  }
}
