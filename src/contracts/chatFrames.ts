/**
 * The chat protocol's frames, both ways, as types (docs/protocol.md is their readable form).
 * The server parses client frames in src/chat/protocol.ts and builds its own in
 * src/chat/serverFrames.ts; tests and benchmarks speak the same wire.
 */
import type { ChatErrorCode } from './chatErrors.js';

export const CLIENT_TYPES = ['join', 'message', 'typing', 'history', 'kick', 'mute', 'ban', 'stopStream', 'ping'] as const;

/** A client's tag for a frame, echoed back on the answer and never interpreted. */
export type Ref = string | number;

export type ClientFrame =
  | { type: 'join'; token?: string; name?: string; ref?: Ref }
  | { type: 'message'; text: string; ref?: Ref }
  | { type: 'typing' }
  | { type: 'history'; before?: string; ref?: Ref }
  | { type: 'kick'; user: string; reason?: string; ref?: Ref }
  | { type: 'mute'; user: string; duration: number; reason?: string; ref?: Ref }
  | { type: 'ban'; user: string; duration: number | null; scope: 'room' | 'global'; reason?: string; ref?: Ref }
  /** Moderators: ends the room's broadcast now; its producer is disconnected and refused for a while. */
  | { type: 'stopStream'; reason?: string; ref?: Ref }
  | { type: 'ping'; ref?: Ref };

export type Role = 'viewer' | 'producer' | 'moderator';
export const ROLES: readonly Role[] = ['viewer', 'producer', 'moderator'];

export interface UserView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly anonymous: boolean;
}

/** The room's broadcast as chat clients see it (in `welcome` and `stream` frames). */
export interface StreamState {
  readonly live: boolean;
  /** The HLS playlist's absolute URL (PUBLIC_HOST, room port) while live. */
  readonly url: string | null;
  /** The playlist's path on the room port while live, for pages that know the host already. */
  readonly path: string | null;
  /** When the stream went live (ms since the epoch). */
  readonly since: number | null;
}

export interface MessageFrame {
  readonly type: 'message';
  readonly id: string;
  readonly user: string;
  readonly name: string;
  readonly text: string;
  readonly ts: number;
  /** Only on the sender's own copy (the acknowledgement). */
  readonly ref?: Ref;
}

export interface WelcomeFrame {
  readonly type: 'welcome';
  readonly room: string;
  readonly you: UserView;
  /** Everyone present, you included. */
  readonly users: readonly UserView[];
  /** The newest messages, oldest first. */
  readonly history: readonly MessageFrame[];
  readonly stream: StreamState;
  readonly welcomeText: string;
  readonly limits: { readonly maxText: number; readonly rate: number; readonly burst: number };
  readonly ref?: Ref;
}

export interface JoinedFrame {
  readonly type: 'joined';
  readonly user: UserView;
}

export interface LeftFrame {
  readonly type: 'left';
  readonly user: { readonly id: string; readonly name: string };
}

export interface TypingFrame {
  readonly type: 'typing';
  readonly user: string;
  readonly name: string;
}

export interface HistoryFrame {
  readonly type: 'history';
  /** Oldest first. */
  readonly messages: readonly MessageFrame[];
  /** As asked, or null. */
  readonly before: string | null;
  /** True when older messages may exist. */
  readonly more: boolean;
  readonly ref?: Ref;
}

export interface ModerationFrame {
  readonly type: 'moderation';
  readonly action: 'kick' | 'mute' | 'ban';
  readonly user: string;
  readonly name: string | null;
  /** The moderator's user id; absent when the server removes a banned user on its own. */
  readonly by?: string;
  readonly reason: string | null;
  /** When a mute or ban ends (ms since the epoch), null for a ban without expiry. */
  readonly until?: number | null;
  readonly scope?: 'room' | 'global';
  /** An address ban removed this anonymous user (they share the address of someone banned). */
  readonly address?: true;
}

/** From the operator (admin API `POST /api/v1/messages`). */
export interface SystemFrame {
  readonly type: 'system';
  readonly text: string;
  readonly ts: number;
}

/** `live` when the first segment is ready, `ended` when the producer stops. */
export interface StreamFrame extends StreamState {
  readonly type: 'stream';
  readonly state: 'live' | 'ended';
}

/** The room is closing; the socket closes right after. */
export interface ClosedFrame {
  readonly type: 'closed';
  readonly reason: string;
}

export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ChatErrorCode;
  readonly message: string;
  readonly ref?: Ref;
  /** For MUTED and BANNED: when it ends (ms since the epoch), null for a ban without expiry. */
  readonly until?: number | null;
  /** For BANNED. */
  readonly scope?: 'room' | 'global';
  /** For BANNED. */
  readonly reason?: string | null;
}

export interface PongFrame {
  readonly type: 'pong';
  readonly ts: number;
  readonly ref?: Ref;
}

/** A moderation action sent with a `ref` was done. */
export interface OkFrame {
  readonly type: 'ok';
  readonly ref: Ref;
}

export type ServerFrame =
  | WelcomeFrame
  | MessageFrame
  | JoinedFrame
  | LeftFrame
  | TypingFrame
  | HistoryFrame
  | ModerationFrame
  | SystemFrame
  | StreamFrame
  | ClosedFrame
  | ErrorFrame
  | PongFrame
  | OkFrame;

/** Every server frame type, for the docs check (the `satisfies` keeps it in step with ServerFrame). */
export const SERVER_TYPES = [
  'welcome',
  'message',
  'joined',
  'left',
  'typing',
  'history',
  'moderation',
  'system',
  'stream',
  'closed',
  'error',
  'pong',
  'ok',
] as const satisfies ReadonlyArray<ServerFrame['type']>;
