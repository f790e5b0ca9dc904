/** Builders of the frames the server sends (their types: src/contracts/chatFrames.ts; docs/protocol.md mirrors both). */
import type { ChatMessageRecord } from '../contracts/records.js';
import type { ChatErrorCode } from '../contracts/chatErrors.js';
import { CHAT_ERRORS } from '../contracts/chatErrors.js';
import type { ClosedFrame, ErrorFrame, MessageFrame, Ref, StreamFrame, StreamState, SystemFrame, UserView, WelcomeFrame } from '../contracts/chatFrames.js';

export const OFFLINE: StreamState = { live: false, url: null, path: null, since: null };

/** `state` is `live` when the first segment is ready and `ended` when the producer stops. */
export function streamFrame(state: 'live' | 'ended', stream: StreamState): StreamFrame {
  return { type: 'stream', state, ...stream };
}

export function messageFrame(record: ChatMessageRecord, ref?: Ref): MessageFrame {
  const frame: MessageFrame = { type: 'message', id: record.id, user: record.user, name: record.name, text: record.text, ts: record.ts };
  return ref === undefined ? frame : { ...frame, ref };
}

/** `extra` carries MUTED's and BANNED's details (`until`, `scope`, `reason`). */
export function errorFrame(code: ChatErrorCode, message: string = CHAT_ERRORS[code], ref?: Ref, extra: Record<string, unknown> = {}): ErrorFrame {
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
}): WelcomeFrame {
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

export function systemFrame(text: string): SystemFrame {
  return { type: 'system', text, ts: Date.now() };
}

export function closedFrame(reason: string): ClosedFrame {
  return { type: 'closed', reason };
}
