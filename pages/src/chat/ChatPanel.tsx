/**
 * The live chat beside a player: status, people here, messages, typing line, errors, and the
 * join or message form. Moderator tokens get kick, mute and ban on each message and person.
 * All user text is rendered as text (Preact escapes it).
 */
import type { StreamState } from '../../../src/contracts/chatFrames.ts';
import { Announcer } from './Announcer.tsx';
import { JoinForm, SendForm } from './ChatForms.tsx';
import { MessageList } from './MessageList.tsx';
import { ModMenu } from './ModMenu.tsx';
import { useChat } from './useChat.ts';
import { userColour } from './userColour.ts';
import './ChatPanel.css';

export interface ChatPanelProps {
  /** The room's `/chat` WebSocket URL; null while the room is being looked up. */
  url: string | null;
  token?: string;
  onStream: (stream: StreamState) => void;
}

export function ChatPanel({ url, token, onStream }: ChatPanelProps) {
  const [chat, act] = useChat(url, token, onStream);
  const joinedOnce = chat.me !== null;
  const showSend = joinedOnce && chat.out === null;
  const moderate = chat.me?.role === 'moderator' && chat.link === 'joined' ? act.moderate : undefined;
  const offline = chat.link !== 'joined';
  const status = chat.pending && offline && showSend ? `${chat.status} Your message will be sent when the chat is back.` : chat.status;
  return (
    <div class="chat-panel" data-link={chat.link}>
      <div class="chat-status" role="status">
        {status}
      </div>
      {chat.users.length > 0 && (
        <ul class="chat-users" aria-label={`People here: ${chat.users.length}`}>
          {chat.users.map((user) => (
            <li key={user.id} class={`chat-user role-${user.role}`} data-user-id={user.id}>
              <span style={{ color: userColour(user.id) }}>{user.name}</span>
              {moderate && user.id !== chat.me?.id && user.role !== 'moderator' && <ModMenu userId={user.id} name={user.name} onAction={moderate} />}
            </li>
          ))}
        </ul>
      )}
      <MessageList lines={chat.lines} me={chat.me} more={chat.more && chat.link === 'joined'} loadingOlder={chat.loadingOlder} onLoadOlder={act.loadOlder} onModerate={moderate} />
      <Announcer lines={chat.lines} myId={chat.me?.id} />
      <div class="chat-typing">{chat.typing}</div>
      <div class="chat-errors" role="alert">
        {chat.error}
      </div>
      {showSend ? (
        <SendForm pending={chat.pending} acked={chat.acked} offline={offline} onSend={act.send} onTyped={act.typed} />
      ) : (
        chat.out !== 'final' && <JoinForm withToken={token !== undefined} again={chat.out === 'kicked'} initialName={chat.me?.name ?? ''} onJoin={act.join} />
      )}
    </div>
  );
}
