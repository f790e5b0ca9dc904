import type { ServerFrame } from '../contracts/chatFrames.js';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { BanRecord, RoomSettings } from '../contracts/records.js';
import type { RoomUser } from '../contracts/ipc.js';
import { BanEnforcement } from './BanEnforcement.js';
import { ChatClient } from './ChatClient.js';
import type { ChatContext } from './ChatContext.js';
import type { ChatPolicy } from './ChatPolicy.js';
import { CHAT_ERRORS } from '../contracts/chatErrors.js';
import type { CloseName } from '../contracts/closeCodes.js';
import { FloodControl } from './FloodControl.js';
import { Joining } from './Joining.js';
import { Membership } from './Membership.js';
import { MessageFlow } from './MessageFlow.js';
import { Moderation } from './Moderation.js';
import { parseClientFrame } from './protocol.js';
import { type ClientFrame } from '../contracts/chatFrames.js';
import { RoomConnections } from './RoomConnections.js';
import { RoomHistory } from './RoomHistory.js';
import type { Connection, RoomBroadcast, RoomScope } from './roomPorts.js';
import { closedFrame, errorFrame, OFFLINE, streamFrame, systemFrame } from './serverFrames.js';
import { type StreamState } from '../contracts/chatFrames.js';
import { verifyRoomToken, type VerifyResult } from './tokens.js';
import { jsonFrame } from './wsFrame.js';

/**
 * The chat side of one room, in the worker that owns it. The room takes connections and
 * dispatches their frames; its parts own their state: RoomConnections (sockets, heartbeat,
 * broadcast), Joining (join timeout, join checks), Membership (members and names), MessageFlow
 * (chat messages, typing), FloodControl (strikes), Moderation (kicks, mutes, bans),
 * BanEnforcement (bans from the cache) and RoomHistory (recent messages, history pages).
 */
export class ChatRoom implements RoomScope, RoomBroadcast {
  readonly name: string;
  readonly settings: RoomSettings;
  readonly ctx: ChatContext;
  /** The room's creation time: tokens for an earlier room of the same name carry another. */
  readonly epoch: number;
  /** Recent messages and history pages (see RoomHistory). */
  readonly history: RoomHistory;
  readonly #connections: RoomConnections;
  readonly #members: Membership;
  readonly #joining: Joining;
  readonly #flood: FloodControl;
  readonly #moderation: Moderation;
  readonly #bans: BanEnforcement;
  readonly #messages: MessageFlow;
  #stream: StreamState = OFFLINE;
  #closed = false;

  constructor(name: string, settings: RoomSettings, ctx: ChatContext, epoch: number) {
    this.name = name;
    this.settings = settings;
    this.ctx = ctx;
    this.epoch = epoch;
    this.history = new RoomHistory(name, ctx, () => this.policy.historySize);
    this.#connections = new RoomConnections(name, ctx, {
      message: (client, data, isBinary) => this.#onMessage(client, data, isBinary),
      closed: (client) => this.#remove(client),
    });
    this.#members = new Membership(this);
    this.#joining = new Joining(this, this.#members);
    this.#flood = new FloodControl(this);
    this.#moderation = new Moderation(this, this.#members);
    this.#bans = new BanEnforcement(this, this.#members);
    this.#messages = new MessageFlow(this, this.#flood, this.#moderation);
  }

  get policy(): ChatPolicy {
    return this.ctx.policy();
  }

  get clientCount(): number {
    return this.#connections.size;
  }

  /** Messages accepted in this room since it opened in this worker (the admin room list). */
  get messageCount(): number {
    return this.#messages.messageCount;
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
    for (const client of this.#connections.values()) addresses.add(client.ip);
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
    const client = new ChatClient(ws, socket, address, this.ctx.writer, {
      sendBufferBytes: this.ctx.limits.sendBufferBytes,
      chatRate: policy.chatRate,
      chatBurst: policy.chatBurst,
      counters: this.ctx.counters,
    });
    if (this.#closed) {
      client.close('ROOM_CLOSED');
      return;
    }
    this.#connections.add(client);
    this.#joining.expect(client);
    this.ctx.connectionsChanged?.();
  }

  /** Sends the same bytes to every joined client (except one): serialized and framed once. */
  broadcast(value: ServerFrame, except?: Connection): number {
    return this.#connections.broadcast(value, except);
  }

  /** A `system` frame to everyone in the room (admin API). */
  system(text: string): number {
    return this.broadcast(systemFrame(text));
  }

  /**
   * Who is here now, with their connection count and mute (admin API's user list): the first
   * `limit` whose name or id contains `q` (case-insensitive; everyone without it), in the order
   * they joined, and how many match in all.
   */
  users(limit: number, q?: string): { users: RoomUser[]; total: number } {
    const now = Date.now();
    const needle = q?.toLowerCase();
    const users: RoomUser[] = [];
    let total = 0;
    for (const { view, connections } of this.#members.list()) {
      if (needle && !view.name.toLowerCase().includes(needle) && !view.id.toLowerCase().includes(needle)) continue;
      total += 1;
      if (users.length >= limit) continue;
      const muted = this.#moderation.mutedUntil(view.id);
      users.push({ ...view, connections: connections.size, mutedUntil: muted > now ? muted : null });
    }
    return { users, total };
  }

  /** An operator's mute (admin API); null when the user is not here. */
  mute(userId: string, durationS: number, by: string, reason: string | null): number | null {
    return this.#moderation.muteByOperator(userId, durationS, by, reason);
  }

  /** An operator's ban (admin API), as a moderator's ban goes; the bans stored, none when the user is not here. */
  banByOperator(userId: string, expiresAt: number | null, by: string, reason: string): Promise<readonly BanRecord[]> {
    return this.#moderation.banByOperator(userId, expiresAt, by, reason);
  }

  /** Closes every connection of a user. Returns how many were closed. */
  disconnectUser(userId: string, close: CloseName, reason?: string): number {
    return this.#members.disconnectUser(userId, close, reason);
  }

  /**
   * Ends every session of a user in this room from outside (admin API): each connection gets an
   * `error` SESSION_ENDED with `reason`, then close 4006. Returns how many were closed.
   */
  endSessions(userId: string, reason: string): number {
    const connections = [...(this.#members.get(userId)?.connections ?? [])];
    for (const connection of connections) {
      connection.send(errorFrame('SESSION_ENDED', reason));
      connection.close('SESSION_ENDED', reason);
    }
    return connections.length;
  }

  /** Applies a full cache snapshot: banned users present are removed, rate limits follow the settings. */
  applyPolicy(policy: ChatPolicy): void {
    this.#bans.expelBanned(policy);
    this.applySettings(policy);
  }

  /** New settings or revocations: rate limits follow them, and connections holding a revoked token are closed. */
  applySettings(policy: ChatPolicy): void {
    for (const client of this.#connections.values()) {
      client.bucket.reconfigure(policy.chatRate, policy.chatBurst);
      if (client.user && client.tokenIssuedAt !== undefined && policy.tokenRevoked(client.user.id, this.name, client.tokenIssuedAt)) {
        client.send(errorFrame('TOKEN_REVOKED'));
        client.close('AUTH_FAILED', 'token revoked');
      }
    }
  }

  /** New bans (a delta): only the members they name are looked at. */
  applyBans(bans: readonly BanRecord[]): void {
    this.#bans.applyBans(bans, this.policy);
  }

  /** Tells every client the room is closing, then closes their sockets. Safe to call twice. */
  close(reason: string, close: CloseName): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connections.stop();
    this.#joining.stop();
    const frame = jsonFrame(closedFrame(reason));
    for (const client of this.#connections.values()) {
      client.sendFrame(frame);
      client.close(close, reason);
    }
  }

  #onMessage(client: ChatClient, data: WebSocket.RawData, isBinary: boolean): void {
    client.alive = true;
    if (client.closing) return;
    if (!client.frameBucket.take()) {
      this.#flood.limited(client);
      return;
    }
    if (isBinary) {
      client.send(errorFrame('BAD_FRAME', 'Chat frames are JSON text frames, not binary'));
      return;
    }
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) {
      client.send(errorFrame(parsed.code, parsed.message, parsed.ref));
      return;
    }
    void this.#dispatch(client, parsed.frame).catch((error: unknown) => {
      this.ctx.logger.error({ err: error, room: this.name }, 'chat frame handling failed');
      client.send(errorFrame('INTERNAL'));
    });
  }

  async #dispatch(client: ChatClient, frame: ClientFrame): Promise<void> {
    if (frame.type === 'join') return this.#joining.join(client, frame);
    if (frame.type === 'ping') {
      client.send({ type: 'pong', ts: Date.now(), ...(frame.ref === undefined ? {} : { ref: frame.ref }) });
      return;
    }
    const user = client.user;
    if (!user) {
      client.send(errorFrame('NOT_JOINED', undefined, 'ref' in frame ? frame.ref : undefined));
      return;
    }
    switch (frame.type) {
      case 'message':
        return this.#messages.chat(client, user, frame.text, frame.ref);
      case 'typing':
        return this.#messages.typing(client, user);
      case 'history':
        if (!client.bucket.take()) return this.#flood.limited(client, frame.ref);
        return this.history.answer(client, frame.before, frame.ref);
      case 'kick':
      case 'mute':
      case 'ban':
        return this.#moderation.handle(client, user, frame);
      case 'stopStream':
        return this.#moderation.stopStream(client, user, frame);
    }
  }

  #remove(client: ChatClient): void {
    this.#joining.forget(client);
    if (client.closedAs && client.closedAs !== 'GOING_AWAY' && client.closedAs !== 'ROOM_CLOSED') {
      this.ctx.logger.info({ room: this.name, user: client.user?.id, ip: client.ip, close: client.closedAs }, 'chat client disconnected');
    }
    this.#members.leave(client, !this.#closed);
    this.ctx.connectionsChanged?.();
  }
}
