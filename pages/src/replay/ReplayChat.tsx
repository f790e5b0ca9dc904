/**
 * The chat beside a recording, in step with its playback: the messages whose `ts` the playback
 * position's wall-clock time has passed. Seeking back removes the later ones, seeking forward
 * adds those skipped. Not a live region: a seek adds or removes many messages at once, which a
 * screen reader would read out whole.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import '../chat/ChatPanel.css';
import { userColour } from '../chat/userColour.ts';
import { MessageText } from '../chat/MessageText.tsx';
import type { ReplayMessage } from './replayApi.ts';

function timeOf(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ReplayChat({ messages, shown, problem }: { messages: ReplayMessage[] | null; shown: number; problem: string }) {
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);

  // Keeps the newest in view unless the viewer scrolled up to read.
  useLayoutEffect(() => {
    if (following.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [shown]);

  const status =
    problem ||
    (messages === null
      ? 'Loading the chat of this recording'
      : messages.length === 0
        ? 'Nobody wrote in the chat during this broadcast.'
        : `${messages.length} chat message${messages.length === 1 ? '' : 's'}, shown as the recording plays`);
  return (
    <div class="chat-panel">
      <div class="chat-status" role="status">
        {status}
      </div>
      <div class="chat-scroll">
        <ol
          ref={list}
          class="chat-messages"
          tabIndex={0}
          aria-label="Chat messages up to this point of the recording"
          onScroll={(event) => {
            const node = event.currentTarget;
            following.current = node.scrollTop + node.clientHeight >= node.scrollHeight - 8;
          }}
        >
          {messages?.slice(0, shown).map((message) => (
            <li key={message.id} class="chat-message" data-id={message.id} data-ts={String(message.ts)}>
              <time class="chat-time" dateTime={new Date(message.ts).toISOString()}>
                {timeOf(message.ts)}
              </time>
              <span class="chat-name" style={{ color: userColour(message.user) }}>
                {message.name}
              </span>
              <MessageText text={message.text} myName={null} />
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
