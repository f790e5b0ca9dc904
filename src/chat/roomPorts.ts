import type { ServerFrame } from '../contracts/chatFrames.js';
/**
 * What the parts of a chat room (Membership, Joining, MessageFlow, FloodControl, Moderation,
 * BanEnforcement)
 * need from the room and from each other, as narrow interfaces. Each part receives them in its
 * constructor, so no part imports ChatRoom or ChatClient, and a test drives a part with fakes.
 */
import type { ChatContext } from './ChatContext.js';
import type { CloseName } from '../contracts/closeCodes.js';
import type { Ref, UserView } from '../contracts/chatFrames.js';
import type { TokenBucket } from '../kit/TokenBucket.js';

/** One chat connection as the room's parts see it (ChatClient is the real one). */
export interface Connection {
  /** The client's address, normalised. */
  readonly ip: string;
  /** Who joined on this connection; set by Membership once the join succeeds. */
  user: UserView | undefined;
  /** The `iat` (seconds) of the token this connection joined with; revocations compare it. */
  tokenIssuedAt: number | undefined;
  /** The token lets this moderator ban in every room (the `globalModerator` claim). */
  globalModerator: boolean;
  /** Chat messages and history pages. */
  readonly bucket: TokenBucket;
  /** Not closing, and the socket is open. */
  readonly open: boolean;
  /** The server has closed (or is closing) this connection. */
  readonly closing: boolean;
  send(value: ServerFrame): boolean;
  close(name: CloseName, reason?: string): void;
}

/** The room as every part sees it: its name (for logs and store records) and the worker's services. */
export interface RoomScope {
  readonly name: string;
  readonly ctx: ChatContext;
}

/** Sends to the room's joined connections. */
export interface RoomBroadcast {
  /** The same bytes to every joined connection but `except`; returns how many were written. */
  broadcast(value: ServerFrame, except?: Connection): number;
}

/** A user present in the room, with every connection they have open (tabs, devices). */
export interface Member {
  readonly view: UserView;
  readonly connections: Set<Connection>;
}

/** Who is in the room (Membership). */
export interface MemberDirectory {
  get(userId: string): Member | undefined;
  /** Every member now (a copy: acting on one may remove it). */
  list(): Member[];
  /** Present as a moderator, or joined this room as one last time they were here. */
  isModerator(userId: string): boolean;
  /** Closes every connection of a user; returns how many were closed. */
  disconnectUser(userId: string, close: CloseName, reason?: string): number;
}

/** How a connection over its rate limit is answered (FloodControl). */
export interface FloodResponse {
  limited(connection: Connection, ref?: Ref): void;
  /** Until when (ms) this connection is muted for flooding; 0 when it never was. */
  mutedUntil(connection: Connection): number;
}

/** Mutes given by moderators (Moderation). */
export interface MuteBook {
  /** Until when (ms) this user is muted in the room; 0 when they never were. */
  mutedUntil(userId: string): number;
}
