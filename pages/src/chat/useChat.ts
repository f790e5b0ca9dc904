/**
 * The chat panel's state, fed by a ChatSocket: who is here, the lines shown (messages and
 * notices, oldest first), the status and error lines, the message in flight, and the actions
 * the panel offers (join, send, older history, typing, moderation).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ServerFrame, StreamState, UserView } from '../../../src/contracts/chatFrames.ts';
import { appendLines, newMessages, prependLines, type ChatLine } from './chatLines.ts';
import { ChatSocket, type Link, type Outgoing } from './ChatSocket.ts';
import { errorText } from './plainLanguage.ts';

export type { ChatLine } from './chatLines.ts';

export type ModerationAction = 'kick' | 'mute' | 'ban';

export interface ChatState {
  readonly link: Link;
  readonly status: string;
  readonly error: string;
  readonly me: UserView | null;
  readonly users: readonly UserView[];
  readonly lines: readonly ChatLine[];
  /** Older messages may exist (the "Load older messages" button). */
  readonly more: boolean;
  readonly loadingOlder: boolean;
  readonly typing: string;
  readonly pending: Outgoing | null;
  /** The ref of the last message the server acknowledged (the input clears for it, and keeps a refused one). */
  readonly acked: string | null;
  /** Kicked (may join again) or out for good. */
  readonly out: 'kicked' | 'final' | null;
}

export interface ChatActions {
  join(name?: string): void;
  /** False when a message is still in flight (the input keeps its text either way). */
  send(text: string): boolean;
  loadOlder(): void;
  typed(): void;
  moderate(action: ModerationAction, user: string): void;
}

const TYPING_SHOWN_MS = 3000;
const TYPING_SENT_EVERY_MS = 2000;
const OLDER_REF = 'older';
/** A mute from the panel lasts this long (the protocol's default). */
const MUTE_SECONDS = 300;

const INITIAL: ChatState = { link: 'idle', status: 'Not connected', error: '', me: null, users: [], lines: [], more: false, loadingOlder: false, typing: '', pending: null, acked: null, out: null };

let noticeCounter = 0;
const notice = (text: string, tone: 'notice' | 'system' = 'notice'): ChatLine => ({ kind: 'notice', key: `n${(noticeCounter += 1)}`, text, tone });

function moderationNotice(frame: ServerFrame & { type: 'moderation' }, me: string | undefined): ChatLine | null {
  // This user's own kick or ban is told by the close that follows, with its reason.
  if (frame.user === me && frame.action !== 'mute') return null;
  const who = frame.user === me ? 'You were' : `${frame.name ?? frame.user} was`;
  if (frame.address) return notice(`${frame.name ?? frame.user} was removed: their network address is banned here`);
  const verb = frame.action === 'kick' ? 'removed' : frame.action === 'mute' ? 'muted' : 'banned';
  return notice(`${who} ${verb} by a moderator${frame.reason ? `: ${frame.reason}` : ''}`);
}

export function useChat(url: string | null, token: string | undefined, onStream: (stream: StreamState) => void): [ChatState, ChatActions] {
  const [state, setState] = useState<ChatState>(INITIAL);
  const socket = useRef<ChatSocket | null>(null);
  const latest = useRef(state);
  latest.current = state;
  const streamListener = useRef(onStream);
  streamListener.current = onStream;
  const rate = useRef<number | null>(null);
  const lastTypingSent = useRef(0);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (url === null) return undefined;
    const update = (change: (s: ChatState) => Partial<ChatState>) => setState((s) => ({ ...s, ...change(s) }));
    const onFrame = (frame: ServerFrame) => {
      switch (frame.type) {
        case 'welcome':
          rate.current = frame.limits.rate;
          update((s) => ({
            me: frame.you,
            users: frame.users,
            ...appendLines({ lines: s.lines, more: frame.history.length > 0 }, [
              ...newMessages(s.lines, frame.history),
              ...(frame.welcomeText ? [notice(frame.welcomeText, 'system')] : []),
            ]),
            loadingOlder: false,
            error: '',
            out: null,
          }));
          streamListener.current(frame.stream);
          break;
        case 'message':
          update((s) => appendLines(s, newMessages(s.lines, [frame])));
          break;
        case 'history':
          update((s) => ({ lines: prependLines(s.lines, newMessages(s.lines, frame.messages)), more: frame.more, loadingOlder: false }));
          break;
        case 'joined':
          update((s) => ({ users: [...s.users.filter((user) => user.id !== frame.user.id), frame.user] }));
          break;
        case 'left':
          update((s) => ({ users: s.users.filter((user) => user.id !== frame.user.id) }));
          break;
        case 'typing':
          update(() => ({ typing: `${frame.name} is typing…` }));
          clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => update(() => ({ typing: '' })), TYPING_SHOWN_MS);
          break;
        case 'moderation': {
          const line = moderationNotice(frame, latest.current.me?.id);
          if (line) update((s) => appendLines(s, [line]));
          break;
        }
        case 'system':
          update((s) => appendLines(s, [notice(frame.text, 'system')]));
          break;
        case 'closed':
          // The close that follows says it (4000: the room closed; 1001: a restart, reconnected quietly); the
          // frame's reason is the server's (a signal name), not words for people.
          break;
        case 'stream':
          streamListener.current(frame);
          break;
        case 'error':
          if (frame.ref === OLDER_REF) update(() => ({ loadingOlder: false }));
          update(() => ({ error: errorText(frame, rate.current) }));
          break;
        default:
          break;
      }
    };
    const chat = new ChatSocket(url, token, {
      frame: onFrame,
      link: (link, status) =>
        update((s) => {
          const out = link === 'removed' ? (chat.out ?? s.out) : s.out;
          if (link !== 'removed') return { link, status };
          // Out of the room: nobody is shown as present, there is no history to page, and the why is in the list too.
          return { link, status, out, users: [], more: false, typing: '', lines: appendLines(s, [notice(status)]).lines };
        }),
      settled: (message, refusal) =>
        update((s) => ({
          pending: s.pending?.ref === message.ref ? null : s.pending,
          acked: refusal === undefined ? message.ref : s.acked,
          error: refusal === undefined ? '' : `Not sent: ${typeof refusal === 'string' ? refusal : errorText(refusal, rate.current)}`,
        })),
    });
    socket.current = chat;
    // A token carries the identity: its holder joins at once.
    if (token !== undefined) chat.join();
    return () => {
      chat.close();
      socket.current = null;
    };
  }, [url, token]);

  const actions = useMemo<ChatActions>(
    () => ({
      join(name) {
        setState((s) => ({ ...s, error: '' }));
        socket.current?.join(name);
      },
      send(text) {
        const sent = socket.current?.sendMessage(text) ?? null;
        if (sent) setState((s) => ({ ...s, pending: sent, error: '' }));
        return sent !== null;
      },
      loadOlder() {
        const oldest = latest.current.lines.find((line) => line.kind === 'message');
        const before = oldest?.kind === 'message' ? oldest.message.id : undefined;
        if (socket.current?.send({ type: 'history', ...(before === undefined ? {} : { before }), ref: OLDER_REF })) setState((s) => ({ ...s, loadingOlder: true }));
      },
      typed() {
        if (Date.now() - lastTypingSent.current < TYPING_SENT_EVERY_MS || latest.current.link !== 'joined') return;
        lastTypingSent.current = Date.now();
        socket.current?.send({ type: 'typing' });
      },
      moderate(action, user) {
        const ref = `mod-${action}-${user}`;
        if (action === 'kick') socket.current?.send({ type: 'kick', user, ref });
        else if (action === 'mute') socket.current?.send({ type: 'mute', user, duration: MUTE_SECONDS, ref });
        else socket.current?.send({ type: 'ban', user, duration: null, scope: 'room', ref });
      },
    }),
    [],
  );
  return [state, actions];
}
