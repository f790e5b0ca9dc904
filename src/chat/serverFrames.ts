/** The frames the server sends, as types and builders (one place; docs/protocol.md mirrors it). */
import type { ChatMessageRecord } from '../store/records.js';
import type { ChatErrorCode } from './chatErrors.js';
import { CHAT_ERRORS } from './chatErrors.js';
import type { Ref } from './protocol.js';

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

export const OFFLINE: StreamState = { live: false, url: null, path: null, since: null };

/** `state` is `live` when the first segment is ready and `ended` when the producer stops. */
export function streamFrame(state: 'live' | 'ended', stream: StreamState) {
  return { type: 'stream', state, ...stream };
}

export interface MessageFrame {
  readonly type: 'message';
  readonly id: string;
  readonly user: string;
  readonly name: string;
  readonly text: string;
  readonly ts: number;
  readonly ref?: Ref;
}

export function messageFrame(record: ChatMessageRecord, ref?: Ref): MessageFrame {
  const frame: MessageFrame = { type: 'message', id: record.id, user: record.user, name: record.name, text: record.text, ts: record.ts };
  return ref === undefined ? frame : { ...frame, ref };
}

export function errorFrame(code: ChatErrorCode, message: string = CHAT_ERRORS[code], ref?: Ref, extra: Record<string, unknown> = {}) {
  return { type: 'error', code, message, ...(ref === undefined ? {} : { ref }), ...extra };
}

export function welcomeFrame(input: {
  you: UserView;
  room: string;
  users: UserView[];
  history: ChatMessageRecord[];
  stream: StreamState;
  welcomeText: string;
  limits: { maxText: number; rate: number; burst: number };
  ref?: Ref;
}) {
  return {
    type: 'welcome',
    room: input.room,
    you: input.you,
    users: input.users,
    history: input.history.map((record) => messageFrame(record)),
    stream: input.stream,
    welcomeText: input.welcomeText,
    limits: input.limits,
    ...(input.ref === undefined ? {} : { ref: input.ref }),
  };
}

export function systemFrame(text: string) {
  return { type: 'system', text, ts: Date.now() };
}

export function closedFrame(reason: string) {
  return { type: 'closed', reason };
}
