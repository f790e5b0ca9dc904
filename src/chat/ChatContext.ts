import type { AuthHook } from '../authhook/AuthHook.js';
import type { BanAddResult, ModeratorBan, OperatorBan } from '../contracts/ipc.js';
import type { UserView } from '../contracts/chatFrames.js';
import type { Logger } from '../kit/createLogger.js';
import type { ChatMessageRecord } from '../contracts/records.js';
import type { ChatPolicy } from './ChatPolicy.js';
import type { MessageIdGenerator } from './messageIds.js';
import type { WriteCoalescer } from './WriteCoalescer.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';
import type { RaisedEvent } from '../contracts/webhookEvents.js';

export interface ChatLimits {
  /** Unsent bytes a client may have queued before it is dropped as a slow consumer. */
  readonly sendBufferBytes: number;
  /** WebSocket ping interval; a socket that misses one pong is terminated. */
  readonly heartbeatMs: number;
  /** A connection must join within this time. */
  readonly joinTimeoutMs: number;
  /** Kicks, mutes and bans per second per moderator connection, and the burst allowed. */
  readonly moderationRate: number;
  readonly moderationBurst: number;
}

/** What every chat room in a worker shares: the worker's services, reached without globals. */
export interface ChatContext {
  readonly logger: Logger;
  readonly writer: WriteCoalescer;
  readonly ids: MessageIdGenerator;
  /** The HS256 key join tokens are checked with (never KEY itself). */
  readonly tokenKey: Uint8Array;
  readonly limits: ChatLimits;
  /** The worker's metric counters. */
  readonly counters: WorkerCounters;
  /** The current policy (settings and bans from the primary's cache). */
  policy(): ChatPolicy;
  /**
   * Resolves once the store has committed the message durably (batched with others over IPC):
   * with null, or with the first message when this one was a resend of the same ref.
   */
  persist(record: ChatMessageRecord): Promise<ChatMessageRecord | null>;
  loadHistory(room: string, before: string | undefined, limit: number): Promise<ChatMessageRecord[]>;
  /** A connection came or went (the room's figures changed); a per-room hook, no listener per socket. */
  connectionsChanged?(): void;
  /** Stores a moderator's ban (which the primary may refuse) or an operator's through the primary, which pushes it to every worker. */
  addBan(ban: ModeratorBan | OperatorBan): Promise<BanAddResult>;
  /**
   * Stops the room's broadcast for a moderator (a per-room hook, set by the room that owns the
   * stream): true when something was streaming.
   */
  stopStream?(by: UserView, reason: string | undefined): boolean;
  /** The site's join and publish hook (AUTH_HOOK_URL), one per worker; undefined when none is configured. */
  readonly authHook?: AuthHook;
  /** Webhook events: presence (debounced by the receiver) and moderation. Cheap when no endpoint wants them. */
  readonly webhooks?: {
    joined(room: string, user: UserView): void;
    left(room: string, user: Pick<UserView, 'id' | 'name'>): void;
    raise(event: RaisedEvent): void;
  };
  /** Tells the primary this user joined as a moderator (once per worker), so no moderator may ban them. */
  moderatorSeen(user: string): void;
}
