/**
 * The chat's lines in a scrolling list that keeps the newest in view unless the reader scrolled
 * up; then a "new messages" button says there is more below. "Load older messages" sits above
 * the first line, in the flow (it never covers one), and the reading position stays put when a
 * page of older messages arrives above it.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { UserView } from '../../../src/contracts/chatFrames.ts';
import { clockTime } from './plainLanguage.ts';
import { MessageText } from './MessageText.tsx';
import { ModMenu } from './ModMenu.tsx';
import type { ChatLine, ModerationAction } from './useChat.ts';
import { userColour } from './userColour.ts';

/** How close to the bottom (px) still counts as reading the newest. */
const NEAR_BOTTOM_PX = 48;

export interface MessageListProps {
  lines: readonly ChatLine[];
  me: UserView | null;
  more: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onModerate?: (action: ModerationAction, user: string) => void;
}

export function MessageList({ lines, me, more, loadingOlder, onLoadOlder, onModerate }: MessageListProps) {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const firstKey = useRef<string | undefined>(undefined);
  const lastKey = useRef<string | undefined>(undefined);
  const heightBefore = useRef(0);
  const [unseen, setUnseen] = useState(0);

  const scrollToNewest = () => {
    const node = list.current;
    if (node) node.scrollTop = node.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  };

  useLayoutEffect(() => {
    const node = list.current;
    if (!node) return;
    const first = lines[0]?.key;
    const last = lines.at(-1)?.key;
    if (first !== firstKey.current && last === lastKey.current && firstKey.current !== undefined) {
      // Older messages came in above: keep the lines the reader was looking at where they were.
      node.scrollTop += node.scrollHeight - heightBefore.current;
    } else if (last !== lastKey.current) {
      const mine = lines.at(-1)?.kind === 'message' && (lines.at(-1) as ChatLine & { kind: 'message' }).message.user === me?.id;
      if (atBottom.current || mine) scrollToNewest();
      else setUnseen((count) => count + 1);
    }
    firstKey.current = first;
    lastKey.current = last;
    heightBefore.current = node.scrollHeight;
  }, [lines]);

  const onScroll = () => {
    const node = list.current;
    if (!node) return;
    atBottom.current = node.scrollHeight - node.scrollTop - node.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) setUnseen(0);
    heightBefore.current = node.scrollHeight;
  };

  return (
    <div class="chat-scroll">
      <ol ref={list} class="chat-messages" aria-label="Chat messages" tabIndex={0} onScroll={onScroll}>
        {more && (
          <li class="chat-older-item">
            <button type="button" class="chat-older" disabled={loadingOlder} onClick={onLoadOlder}>
              {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          </li>
        )}
        {lines.map((line) => {
          if (line.kind === 'notice') return <li key={line.key} class={line.tone === 'system' ? 'chat-system' : 'chat-notice'}>{line.text}</li>;
          const { message } = line;
          const own = message.user === me?.id;
          return (
            <li key={line.key} class={own ? 'chat-message chat-own' : 'chat-message'} data-id={message.id} data-user={message.user}>
              <time class="chat-time" dateTime={new Date(message.ts).toISOString()}>{clockTime(message.ts)}</time>
              <span class="chat-name" style={{ color: userColour(message.user) }}>{message.name}</span>
              <MessageText text={message.text} myName={me?.name ?? null} />
              {onModerate && !own && <ModMenu userId={message.user} name={message.name} onAction={onModerate} />}
            </li>
          );
        })}
      </ol>
      {unseen > 0 && (
        <button type="button" class="chat-new-below" onClick={scrollToNewest}>
          {unseen === 1 ? '1 new message' : `${unseen} new messages`} <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
