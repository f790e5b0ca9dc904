/**
 * Fakes at the boundary of a chat room's parts: a connection that records what it is sent and
 * how it was closed, the worker's services (ChatContext) with a policy the test sets, and a room
 * that records its broadcasts. The parts under test are the real ones.
 */
import pino from 'pino';
import { BanIndex } from '../../src/chat/BanIndex.js';
import type { ChatContext, ChatLimits } from '../../src/chat/ChatContext.js';
import { ChatPolicy } from '../../src/chat/ChatPolicy.js';
import type { CloseName } from '../../src/contracts/closeCodes.js';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import { RevocationIndex } from '../../src/chat/RevocationIndex.js';
import type { Connection, RoomBroadcast, RoomScope } from '../../src/chat/roomPorts.js';
import type { UserView } from '../../src/contracts/chatFrames.js';
import { TokenBucket } from '../../src/kit/TokenBucket.js';
import { WriteCoalescer } from '../../src/chat/WriteCoalescer.js';
import { DEFAULT_SETTINGS, type BanRecord, type ChatMessageRecord, type GlobalSettings } from '../../src/contracts/records.js';
import { ZERO_WORKER_COUNTERS } from '../../src/contracts/WorkerCounters.js';

export type Frame = Record<string, unknown> & { type: string };

export class FakeConnection implements Connection {
  readonly ip: string;
  user: UserView | undefined;
  tokenIssuedAt: number | undefined;
  globalModerator = false;
  readonly bucket: TokenBucket;
  /** Every frame sent, as the client would parse it. */
  readonly sent: Frame[] = [];
  closedWith: { name: CloseName; reason: string | undefined } | undefined;

  constructor(ip = '203.0.113.7', rate = { chatRate: 100, chatBurst: 100 }) {
    this.ip = ip;
    this.bucket = new TokenBucket(rate.chatRate, rate.chatBurst);
  }

  get open(): boolean {
    return this.closedWith === undefined;
  }

  get closing(): boolean {
    return this.closedWith !== undefined;
  }

  send(value: unknown): boolean {
    if (!this.open) return false;
    this.sent.push(JSON.parse(JSON.stringify(value)) as Frame);
    return true;
  }

  close(name: CloseName, reason?: string): void {
    this.closedWith ??= { name, reason };
  }

  /** The frames of one type sent so far. */
  frames(type: string): Frame[] {
    return this.sent.filter((frame) => frame.type === type);
  }

  last(): Frame | undefined {
    return this.sent.at(-1);
  }
}

/** A policy over these settings and bans, indexed as a worker holds them. */
export function policyOf(settings?: Partial<GlobalSettings>, bans: readonly BanRecord[] = []): ChatPolicy {
  const banIndex = new BanIndex();
  banIndex.replaceAll(bans);
  return new ChatPolicy(settings && { ...DEFAULT_SETTINGS, ...settings }, { chatRate: 5, chatBurst: 10 }, banIndex, new RevocationIndex());
}

export interface FakeContext extends ChatContext {
  /** Replaced by tests to change what the worker's cache holds. */
  currentPolicy: ChatPolicy;
  readonly persisted: ChatMessageRecord[];
  /** What persist does; by default it stores and resolves null (not a resend). */
  persistWith: (record: ChatMessageRecord) => Promise<ChatMessageRecord | null>;
  readonly bans: Parameters<ChatContext['addBan']>[0][];
  /** What addBan answers; by default the primary agrees. */
  addBanWith: ChatContext['addBan'];
  readonly moderatorsSeen: string[];
}

export function fakeContext(limits: Partial<ChatLimits> = {}): FakeContext {
  const ctx: FakeContext = {
    logger: pino({ level: 'silent' }),
    writer: new WriteCoalescer(),
    ids: new MessageIdGenerator(),
    tokenKey: new Uint8Array(32).fill(7),
    limits: { sendBufferBytes: 1 << 20, heartbeatMs: 30_000, joinTimeoutMs: 10_000, moderationRate: 5, moderationBurst: 10, ...limits },
    counters: { ...ZERO_WORKER_COUNTERS },
    currentPolicy: policyOf(),
    policy: () => ctx.currentPolicy,
    persisted: [],
    persistWith: async (record) => {
      ctx.persisted.push(record);
      return null;
    },
    persist: (record) => ctx.persistWith(record),
    loadHistory: async () => [],
    bans: [],
    addBanWith: async (ban) => ({ ok: true, ban: { ...ban, id: `ban-${ctx.bans.length}`, createdAt: Date.now() } }),
    addBan: (ban) => {
      ctx.bans.push(ban);
      return ctx.addBanWith(ban);
    },
    moderatorsSeen: [],
    moderatorSeen: (user) => void ctx.moderatorsSeen.push(user),
  };
  return ctx;
}

/** A room as its parts see it, recording what it broadcasts. */
export class FakeRoom implements RoomScope, RoomBroadcast {
  readonly name: string;
  readonly ctx: FakeContext;
  readonly broadcasts: { frame: Frame; except: Connection | undefined }[] = [];

  constructor(ctx = fakeContext(), name = 'lobby') {
    this.ctx = ctx;
    this.name = name;
  }

  broadcast(value: unknown, except?: Connection): number {
    this.broadcasts.push({ frame: JSON.parse(JSON.stringify(value)) as Frame, except });
    return 1;
  }

  /** The broadcast frames of one type. */
  sentToAll(type: string): Frame[] {
    return this.broadcasts.filter((b) => b.frame.type === type).map((b) => b.frame);
  }
}

export const viewer = (id: string, name = id): UserView => ({ id, name, role: 'viewer', anonymous: false });
export const anonymous = (id: string, name: string): UserView => ({ id, name, role: 'viewer', anonymous: true });
export const moderator = (id: string, name = id): UserView => ({ id, name, role: 'moderator', anonymous: false });
