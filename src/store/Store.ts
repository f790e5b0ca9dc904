import type { StoreHealth } from './StoreHealth.js';
import type { BanRecord, ChatMessageRecord, GlobalSettings, RevocationRecord, RoomSettings } from '../contracts/records.js';
import type { PruneRule } from './retention.js';
import type { RecordingStore } from './RecordingStore.js';
import type { WebhookStore } from './WebhookStore.js';
import type { OutboxEntry } from '../contracts/webhookRecords.js';

export type StoreKind = 'embedded' | 'mongodb';

/** A room as the store keeps it (times are epoch milliseconds). */
export interface RoomRecord {
  readonly name: string;
  readonly port: number;
  readonly settings: RoomSettings;
  readonly createdAt: number;
}

export interface HistoryQuery {
  /** Only messages with an id below this one (older). */
  readonly before?: string;
  readonly limit: number;
}

/** Messages sent within a span of time (a recording's), a page at a time. */
export interface TimeSpanQuery {
  /** From this time (epoch ms, included). */
  readonly from: number;
  /** Until this time (epoch ms, included). */
  readonly to: number;
  /** Only messages with an id above this one: the previous page's last. */
  readonly after?: string;
  readonly limit: number;
}

/**
 * Persistence for the primary process (the only process that opens it).
 * Both implementations pass the same contract tests (test/store/).
 */
export interface Store {
  readonly kind: StoreKind;
  /** For a store that lives elsewhere (MongoDB): whether it answers, with events when that changes. */
  readonly health?: StoreHealth;
  /** The recordings of broadcasts; usable once open. */
  readonly recordings: RecordingStore;
  /** Webhook endpoints and the outbox; usable once open. */
  readonly webhooks: WebhookStore;
  /** Connects / loads files and creates indexes. */
  open(): Promise<void>;
  /** Flushes and releases files or connections. Safe to call twice. */
  close(): Promise<void>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;

  listRooms(): Promise<RoomRecord[]>;
  getRoom(name: string): Promise<RoomRecord | null>;
  /** Inserts or replaces the room with this name; `outbox` (its webhook events) is stored with it (see appendMessages). */
  saveRoom(room: RoomRecord, outbox?: readonly OutboxEntry[]): Promise<void>;
  /** Resolves true when a room was removed; `outbox` is stored with the delete. */
  deleteRoom(name: string, outbox?: readonly OutboxEntry[]): Promise<boolean>;

  /**
   * Idempotent by (room, id): a batch sent twice stores each message once. `outbox` (their
   * `message.created` webhook events) is stored in the same transaction (embedded store) or
   * right after the messages and before the answer (MongoDB, which has no transaction on a
   * single node): once it resolves, both are stored.
   */
  appendMessages(messages: readonly ChatMessageRecord[], outbox?: readonly OutboxEntry[]): Promise<void>;
  /** The newest `limit` messages (older than `before` when given), oldest first. */
  listMessages(room: string, query: HistoryQuery): Promise<ChatMessageRecord[]>;
  deleteMessages(room: string): Promise<number>;
  /** Messages stored with a sender's ref after `since` (ts), oldest first: what resends are checked against. */
  listMessagesWithRef(since: number): Promise<ChatMessageRecord[]>;
  /** Up to `limit` messages of a room with ids above `after` (from the start when absent), oldest first: an export page. */
  listMessagesAfter(room: string, after: string | undefined, limit: number): Promise<ChatMessageRecord[]>;
  /**
   * Up to `limit` messages of a room sent within the span (`from <= ts <= to`), oldest first,
   * above `after` when given: a recording's chat. Ids begin with their time (see
   * chat/messageIds.ts), so this is one range scan of the (room, id) key; messages whose id does
   * not (those imported from the NeDB files, older than any recording) are not found.
   */
  listMessagesBetween(room: string, span: TimeSpanQuery): Promise<ChatMessageRecord[]>;
  /**
   * Deletes what `rule` says of the room's oldest messages, looking at no more than `limit` of
   * them (one short write): resolves with how many went. Fewer than `limit` means the room has
   * nothing more to prune now. Ids sort by time, so what a rule prunes is always the start of
   * the room's history.
   */
  pruneMessages(room: string, rule: PruneRule, limit: number): Promise<number>;
  /** Up to `limit` names, in order, above `after`, of rooms that have stored messages (a deleted room's too). */
  listMessageRooms(after: string | undefined, limit: number): Promise<string[]>;
  /**
   * An online copy of the whole store into `file`: a consistent snapshot as of the call, made
   * while the server goes on writing. Only the embedded store has it: MongoDB is backed up with
   * its own tools (mongodump).
   */
  backup?(file: string): Promise<void>;

  addBan(ban: BanRecord): Promise<void>;
  /** Bans that have not expired at `now`. */
  listBans(now: number): Promise<BanRecord[]>;
  removeBan(id: string): Promise<boolean>;
  /** Deletes the bans that expired at or before `now`; resolves with how many. */
  removeExpiredBans(now: number): Promise<number>;

  /** Stores a revocation; one per (user, room): a later one replaces the earlier. */
  revokeTokens(revocation: RevocationRecord): Promise<void>;
  /** Revocations made after `since` (older ones cover no token still alive). */
  listRevocations(since: number): Promise<RevocationRecord[]>;

  getSettings(): Promise<GlobalSettings>;
  /** Merges the patch into the stored settings and returns the result. */
  updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings>;
}
