import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { CacheDelta, CacheSnapshot } from '../contracts/ipc.js';
import { AuthHook } from '../authhook/AuthHook.js';
import { BanIndex } from '../chat/BanIndex.js';
import { RevocationIndex } from '../chat/RevocationIndex.js';
import type { ChatContext, ChatLimits } from '../chat/ChatContext.js';
import { ChatPolicy } from '../chat/ChatPolicy.js';
import type { ChatRoom } from '../chat/ChatRoom.js';
import { MessageIdGenerator } from '../chat/messageIds.js';
import { LIMITS } from '../chat/protocol.js';
import { WriteCoalescer } from '../chat/WriteCoalescer.js';
import { MessageBatcher } from './MessageBatcher.js';
import { WebhookRelay } from './WebhookRelay.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';

/** A history page not read by then is answered HISTORY_UNAVAILABLE; the primary skips reading it. */
const HISTORY_TIMEOUT_MS = 5_000;
/** Moderator ids already reported to the primary; past this many the set starts over. */
const MAX_REPORTED_MODERATORS = 10_000;

/**
 * The chat services of one worker, shared by its rooms: the WebSocket server (no listener of
 * its own: each room port hands it upgrades), the policy from the primary's cache, message
 * batching to the primary, and the write coalescer.
 */
export class WorkerChat {
  readonly context: ChatContext;
  /** Webhook events raised in this worker's rooms. */
  readonly webhooks: WebhookRelay;
  readonly #wss: WebSocketServer;
  readonly #defaults: { chatRate: number; chatBurst: number };
  readonly #bans = new BanIndex();
  readonly #revocations = new RevocationIndex();
  readonly #reportedModerators = new Set<string>();
  #policy: ChatPolicy;

  constructor(config: Config, channel: WorkerSideChannel, logger: Logger, counters: WorkerCounters) {
    this.#defaults = { chatRate: config.chatRate, chatBurst: config.chatBurst };
    this.#policy = new ChatPolicy(undefined, this.#defaults, this.#bans, this.#revocations);
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: LIMITS.maxFrameBytes,
      clientTracking: false,
    });
    const batcher = new MessageBatcher(channel);
    this.webhooks = new WebhookRelay(channel, { presenceDebounceMs: config.webhooks.presenceDebounceMs, publicHost: config.publicHost });
    const limits: ChatLimits = {
      sendBufferBytes: config.chatSendBufferBytes,
      heartbeatMs: config.chatHeartbeatMs,
      joinTimeoutMs: config.chatJoinTimeoutMs,
      moderationRate: config.moderationRate,
      moderationBurst: config.moderationBurst,
    };
    this.context = {
      logger: logger.child({ component: 'chat' }),
      writer: new WriteCoalescer(),
      ids: new MessageIdGenerator(),
      tokenKey: config.tokenKey,
      limits,
      counters,
      policy: () => this.#policy,
      persist: (record) => batcher.persist(record),
      loadHistory: (room, before, limit) => channel.request('history.get', { room, before, limit, deadline: Date.now() + HISTORY_TIMEOUT_MS }, HISTORY_TIMEOUT_MS),
      addBan: (ban) => channel.request('ban.add', ban),
      ...(config.authHook ? { authHook: new AuthHook(config.authHook, logger, counters) } : {}),
      webhooks: this.webhooks,
      moderatorSeen: (user) => {
        if (this.#reportedModerators.has(user)) return;
        if (this.#reportedModerators.size >= MAX_REPORTED_MODERATORS) this.#reportedModerators.clear();
        this.#reportedModerators.add(user);
        channel.notify('moderator.seen', { user });
      },
    };
  }

  /** The full cache snapshot (at start, or after a missed delta): rebuild once, then every room checks its members. */
  usePolicy(snapshot: CacheSnapshot, rooms: Iterable<ChatRoom>): void {
    this.#bans.replaceAll(snapshot.bans);
    this.#revocations.replaceAll(snapshot.revocations);
    this.#policy = new ChatPolicy(snapshot.settings, this.#defaults, this.#bans, this.#revocations);
    for (const room of rooms) room.applyPolicy(this.#policy);
  }

  /**
   * One change: new bans go into the index and only their targets are looked for in the rooms;
   * new settings or revocations are checked against every connection.
   */
  applyDelta(delta: CacheDelta, rooms: readonly ChatRoom[]): void {
    for (const id of delta.removed) this.#bans.remove(id);
    const added = delta.added.filter((ban) => this.#bans.add(ban));
    if (delta.revocations) this.#revocations.replaceAll(delta.revocations);
    if (delta.settings) this.#policy = new ChatPolicy(delta.settings, this.#defaults, this.#bans, this.#revocations);
    if (delta.settings || delta.revocations) for (const room of rooms) room.applySettings(this.#policy);
    if (added.length > 0) for (const room of rooms) room.applyBans(added);
  }

  /**
   * Completes a `/chat` upgrade on a room port and hands the socket to the room, with the
   * client's address; `accepted` is told after the room took it (its listeners run after the room's).
   */
  upgrade(room: ChatRoom, request: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => room.accept(ws, socket, address));
  }
}
