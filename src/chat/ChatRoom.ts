import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { BanRecord, ChatMessageRecord, RoomSettings } from '../contracts/records.js';
import { ChatClient } from './ChatClient.js';
import type { ChatContext } from './ChatContext.js';
import { ADDRESS_BAN_PREFIX, banReason } from './banKeys.js';
import type { ChatPolicy } from './ChatPolicy.js';
import { CHAT_ERRORS, type ChatErrorCode } from '../contracts/chatErrors.js';
import { verifyRoomToken, type VerifyResult } from './tokens.js';
import type { CloseName } from '../contracts/closeCodes.js';
import { admit } from './joining.js';
import { handleModeration } from './moderation.js';
import type { ClientFrame, Ref, StreamState, UserView } from '../contracts/chatFrames.js';
import { LIMITS, parseClientFrame } from './protocol.js';
import { closedFrame, errorFrame, messageFrame, OFFLINE, streamFrame, systemFrame } from './serverFrames.js';
import { jsonFrame } from './wsFrame.js';
import { FloodControl } from './FloodControl.js';
import { RoomNames } from './RoomNames.js';
import { RoomHistory } from './RoomHistory.js';

/** A user present in the room, with every connection they have open (tabs, devices). */
export interface Member {
  readonly view: UserView;
  readonly connections: Set<ChatClient>;
}

const TYPING_INTERVAL_MS = 2_000;
/** How often clients that have not joined yet are checked against the join timeout. */
const JOIN_SWEEP_MS = 1_000;

/**
 * The client behind each chat socket. Every socket shares the same three listeners (below), which
 * find their client here through `this`: a set of closures per socket would cost each idle
 * connection about 300 bytes more (measured with heap snapshots of a worker holding 6,000).
 */
const clientOfSocket = new WeakMap<WebSocket, ChatClient>();

function onSocketPong(this: WebSocket): void {
  const client = clientOfSocket.get(this);
  if (client) client.alive = true;
}

/**
 * The chat side of one room: its members, recent history, and the broadcast fast path.
 * Lives in the worker that owns the room.
 */
export class ChatRoom {
  readonly name: string;
  readonly settings: RoomSettings;
  readonly ctx: ChatContext;
  /** The room's creation time: tokens for an earlier room of the same name carry another. */
  readonly epoch: number;
  readonly clients = new Set<ChatClient>();
  readonly members = new Map<string, Member>();
  /** Who holds which (same-looking) name, so names stay unique within the room. */
  readonly names = new RoomNames();
  readonly mutes = new Map<string, number>();
  /**
   * Users whose last join in this room was with a moderator token: other moderators may not act
   * on them even after they left. Only KEY holders mint moderator tokens, so this stays small.
   */
  readonly moderators = new Set<string>();
  readonly flood: FloodControl;
  /** Messages accepted in this room since it opened in this worker (the admin room list). */
  messageCount = 0;
  #stream: StreamState = OFFLINE;
  /** Recent messages and history pages (see RoomHistory). */
  readonly history: RoomHistory;
  readonly #heartbeat: NodeJS.Timeout;
  /** Connected clients that have not joined yet, checked by one sweep instead of a timer each. */
  readonly #awaitingJoin = new Set<ChatClient>();
  #joinSweep: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(name: string, settings: RoomSettings, ctx: ChatContext, epoch: number) {
    this.name = name;
    this.settings = settings;
    this.ctx = ctx;
    this.epoch = epoch;
    this.flood = new FloodControl(this);
    this.history = new RoomHistory(name, ctx, () => this.policy.historySize);
    this.#heartbeat = setInterval(() => this.#beat(), ctx.limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  get policy(): ChatPolicy {
    return this.ctx.policy();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get stream(): StreamState {
    return this.#stream;
  }

  /** The broadcast went live or ended: every joined client gets a `stream` frame. */
  setStream(stream: StreamState): void {
    const changed = stream.live !== this.#stream.live;
    this.#stream = stream;
    if (changed) this.broadcast(streamFrame(stream.live ? 'live' : 'ended', stream));
  }

  /** Addresses with a chat connection, so a page that both chats and plays counts once. */
  clientAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (const client of this.clients) addresses.add(client.ip);
    return addresses;
  }


  /** Checks a join or producer token: signature, expiry, this room and its epoch, then revocations. */
  async verifyToken(token: string): Promise<VerifyResult> {
    const result = await verifyRoomToken(this.ctx.tokenKey, token, { room: this.name, epoch: this.epoch });
    if (result.ok && this.policy.tokenRevoked(result.claims.sub, this.name, result.claims.iat)) {
      return { ok: false, code: 'TOKEN_REVOKED', message: CHAT_ERRORS.TOKEN_REVOKED };
    }
    return result;
  }

  /** Takes a new WebSocket connection (already upgraded) into the room; `address` is the client's, normalised. */
  accept(ws: WebSocket, socket: Duplex, address: string): void {
    const policy = this.policy;
    const client = new ChatClient(this, ws, socket, address, this.ctx.writer, {
      sendBufferBytes: this.ctx.limits.sendBufferBytes,
      chatRate: policy.chatRate,
      chatBurst: policy.chatBurst,
      counters: this.ctx.counters,
    });
    if (this.#closed) {
      client.close('ROOM_CLOSED');
      return;
    }
    this.clients.add(client);
    this.#awaitingJoin.add(client);
    this.#joinSweep ??= setInterval(() => this.#sweepJoins(), JOIN_SWEEP_MS).unref();
    clientOfSocket.set(ws, client);
    ws.on('pong', onSocketPong);
    ws.on('message', ChatRoom.#onSocketMessage);
    ws.on('error', ChatRoom.#onSocketError);
    ws.on('close', ChatRoom.#onSocketClose);
  }

  static readonly #onSocketMessage = function (this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    const client = clientOfSocket.get(this);
    if (client) client.room.#onMessage(client, data, isBinary);
  };

  static readonly #onSocketError = function (this: WebSocket, error: Error): void {
    const room = clientOfSocket.get(this)?.room;
    room?.ctx.logger.debug({ err: error, room: room.name }, 'chat socket error');
  };

  static readonly #onSocketClose = function (this: WebSocket): void {
    const client = clientOfSocket.get(this);
    if (client) client.room.#remove(client);
  };

  /** Closes clients that connected more than joinTimeoutMs ago and have still not joined. */
  #sweepJoins(): void {
    const deadline = Date.now() - this.ctx.limits.joinTimeoutMs;
    for (const client of this.#awaitingJoin) {
      if (client.user || client.closing) {
        this.#awaitingJoin.delete(client);
      } else if (client.connectedAt <= deadline) {
        this.#awaitingJoin.delete(client);
        client.close('JOIN_TIMEOUT');
      }
    }
    if (this.#awaitingJoin.size === 0) this.#stopJoinSweep();
  }

  #stopJoinSweep(): void {
    clearInterval(this.#joinSweep);
    this.#joinSweep = undefined;
  }

  /** Sends the same bytes to every joined client (except one): serialized and framed once. */
  broadcast(value: unknown, except?: ChatClient): number {
    const frame = jsonFrame(value);
    let delivered = 0;
    for (const client of this.clients) {
      if (client === except || !client.user) continue;
      if (client.sendFrame(frame)) delivered += 1;
    }
    this.ctx.counters.deliveries += delivered;
    return delivered;
  }

  sendError(client: ChatClient, code: ChatErrorCode, message?: string, ref?: Ref, extra?: Record<string, unknown>): void {
    client.send(errorFrame(code, message, ref, extra));
  }

  /** A `system` frame to everyone in the room (admin API). */
  system(text: string): number {
    return this.broadcast(systemFrame(text));
  }

  /** Closes every connection of a user. Returns how many were closed. */
  disconnectUser(userId: string, close: CloseName, reason?: string): number {
    const member = this.members.get(userId);
    if (!member) return 0;
    const connections = [...member.connections];
    for (const client of connections) client.close(close, reason);
    return connections.length;
  }

  /** Applies a full cache snapshot: banned users present are removed, rate limits follow the settings. */
  applyPolicy(policy: ChatPolicy): void {
    for (const member of [...this.members.values()]) this.#expelIfBanned(member, policy);
    this.applySettings(policy);
  }

  /** New settings or revocations: rate limits follow them, and connections holding a revoked token are closed. */
  applySettings(policy: ChatPolicy): void {
    for (const client of this.clients) {
      client.bucket.reconfigure(policy.chatRate, policy.chatBurst);
      if (client.user && client.tokenIssuedAt !== undefined && policy.tokenRevoked(client.user.id, this.name, client.tokenIssuedAt)) {
        this.sendError(client, 'TOKEN_REVOKED');
        client.close('AUTH_FAILED', 'token revoked');
      }
    }
  }

  /** New bans (a delta): only the members they name are looked at. */
  applyBans(bans: readonly BanRecord[]): void {
    const policy = this.policy;
    for (const ban of bans) {
      if (ban.room !== null && ban.room !== this.name) continue;
      if (ban.user.startsWith(ADDRESS_BAN_PREFIX)) {
        for (const member of [...this.members.values()]) if (member.view.anonymous) this.#expelIfBanned(member, policy);
      } else {
        const member = this.members.get(ban.user);
        if (member) this.#expelIfBanned(member, policy);
      }
    }
  }

  #expelIfBanned(member: Member, policy: ChatPolicy): void {
    // Already on the way out (a moderator's ban told them): one notice each, not one per ban.
    if ([...member.connections].every((connection) => connection.closing)) return;
    const ip = [...member.connections][0]?.ip;
    const ban = policy.banFor(member.view.id, member.view.anonymous ? ip : undefined, this.name, Date.now(), member.view.role === 'moderator');
    if (!ban) return;
    // The ban's reason goes with the close: a moderator's ban reaches the worker as a delta
    // before the moderator's own answer, so this is the close the banned user sees. An address
    // ban says so: it also removes other anonymous users who share the address.
    const reason = banReason(ban);
    const address = ban.user.startsWith(ADDRESS_BAN_PREFIX);
    this.broadcast({ type: 'moderation', action: 'ban', user: member.view.id, name: member.view.name, reason: reason ?? null, ...(address ? { address: true } : {}) });
    this.disconnectUser(member.view.id, 'BANNED', reason);
  }

  /** Tells every client the room is closing, then closes their sockets. Safe to call twice. */
  close(reason: string, close: CloseName): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#stopJoinSweep();
    const frame = jsonFrame(closedFrame(reason));
    for (const client of this.clients) {
      client.sendFrame(frame);
      client.close(close, reason);
    }
  }

  #onMessage(client: ChatClient, data: WebSocket.RawData, isBinary: boolean): void {
    client.alive = true;
    if (client.closing) return;
    if (!client.frameBucket.take()) {
      this.flood.limited(client);
      return;
    }
    if (isBinary) {
      this.sendError(client, 'BAD_FRAME', 'Chat frames are JSON text frames, not binary');
      return;
    }
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) {
      this.sendError(client, parsed.code, parsed.message, parsed.ref);
      return;
    }
    void this.#dispatch(client, parsed.frame).catch((error: unknown) => {
      this.ctx.logger.error({ err: error, room: this.name }, 'chat frame handling failed');
      this.sendError(client, 'INTERNAL');
    });
  }

  async #dispatch(client: ChatClient, frame: ClientFrame): Promise<void> {
    if (frame.type === 'join') return admit(this, client, frame);
    if (frame.type === 'ping') {
      client.send({ type: 'pong', ts: Date.now(), ...(frame.ref === undefined ? {} : { ref: frame.ref }) });
      return;
    }
    const user = client.user;
    if (!user) return this.sendError(client, 'NOT_JOINED', undefined, 'ref' in frame ? frame.ref : undefined);
    switch (frame.type) {
      case 'message':
        return this.#chat(client, user, frame.text, frame.ref);
      case 'typing':
        if (Date.now() - client.lastTypingAt < TYPING_INTERVAL_MS) return;
        client.lastTypingAt = Date.now();
        this.broadcast({ type: 'typing', user: user.id, name: user.name }, client);
        return;
      case 'history':
        if (!client.bucket.take()) return this.flood.limited(client, frame.ref);
        return this.history.answer(client, frame.before, frame.ref);
      case 'kick':
      case 'mute':
      case 'ban':
        return handleModeration(this, client, user, frame);
    }
  }

  async #chat(client: ChatClient, user: UserView, text: string, ref: Ref | undefined): Promise<void> {
    if (!client.bucket.take()) return this.flood.limited(client, ref);
    const mutedUntil = Math.max(this.mutes.get(user.id) ?? 0, client.mutedUntil);
    if (mutedUntil > Date.now()) return this.sendError(client, 'MUTED', undefined, ref, { until: mutedUntil });
    if (text.trim().length === 0) return this.sendError(client, 'TEXT_EMPTY', undefined, ref);
    if (text.length > LIMITS.maxText) return this.sendError(client, 'TEXT_TOO_LONG', `Messages are at most ${LIMITS.maxText} characters`, ref);
    const filtered = this.policy.filter.apply(text);
    if (filtered.matched && this.policy.filter.action === 'refuse') return this.sendError(client, 'BANNED_WORDS', undefined, ref);

    const { id, ts } = this.ctx.ids.next();
    this.ctx.counters.messagesIn += 1;
    const record: ChatMessageRecord = { room: this.name, id, user: user.id, name: user.name, text: filtered.text, ts, ...(ref === undefined ? {} : { ref: JSON.stringify(ref) }) };
    let first: ChatMessageRecord | null;
    try {
      first = await this.ctx.persist(record);
    } catch (error) {
      this.ctx.logger.warn({ room: this.name, code: (error as { code?: string }).code, reason: (error as Error).message }, 'message not persisted; not delivered');
      return this.sendError(client, 'NOT_PERSISTED', undefined, ref);
    }
    // A resend of a message stored already: its sender gets the first acknowledgement again, nobody a second copy.
    if (first) {
      client.send(messageFrame(first, ref));
      return;
    }
    this.messageCount += 1;
    this.history.remember(record);
    // Everyone gets the same bytes; the sender's copy carries its ref as the acknowledgement.
    this.broadcast(messageFrame(record), client);
    client.send(messageFrame(record, ref));
  }

  #remove(client: ChatClient): void {
    this.clients.delete(client);
    this.#awaitingJoin.delete(client);
    if (client.closedAs && client.closedAs !== 'GOING_AWAY' && client.closedAs !== 'ROOM_CLOSED') {
      this.ctx.logger.info({ room: this.name, user: client.user?.id, ip: client.ip, close: client.closedAs }, 'chat client disconnected');
    }
    const user = client.user;
    if (!user) return;
    const member = this.members.get(user.id);
    if (!member) return;
    member.connections.delete(client);
    if (member.connections.size > 0) return;
    this.members.delete(user.id);
    this.names.release(member.view.name, user.id);
    if (!this.#closed) this.broadcast({ type: 'left', user: { id: user.id, name: user.name } });
  }

  #beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.ctx.logger.info({ room: this.name, user: client.user?.id, ip: client.ip }, 'dead socket reaped');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}
