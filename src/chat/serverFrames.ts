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

export interface StreamState {
  readonly live: boolean;
  readonly url: string | null;
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
