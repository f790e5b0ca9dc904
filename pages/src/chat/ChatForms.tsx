/** The join form (a name, or only a button for token holders) and the message form with its emoji picker. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Outgoing } from './ChatSocket.ts';
import { EmojiPicker } from './EmojiPicker.tsx';

const MAX_NAME = 32;
const MAX_TEXT = 2000;

export function JoinForm({ withToken, again, initialName, onJoin }: { withToken: boolean; again: boolean; initialName: string; onJoin: (name?: string) => void }) {
  const [name, setName] = useState(initialName);
  return (
    <form
      class="chat-join"
      onSubmit={(event) => {
        event.preventDefault();
        onJoin(withToken ? undefined : name);
      }}
    >
      {!withToken && (
        <>
          <label for="chat-name-input">Your name</label>
          <input id="chat-name-input" name="name" maxLength={MAX_NAME} required autoComplete="nickname" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </>
      )}
      <button type="submit">{again ? 'Join chat again' : 'Join chat'}</button>
    </form>
  );
}

export interface SendFormProps {
  pending: Outgoing | null;
  /** The ref of the last acknowledged message. */
  acked: string | null;
  /** Not connected right now: a message is sent once the panel has reconnected. */
  offline: boolean;
  onSend: (text: string) => boolean;
  onTyped: () => void;
}

export function SendForm({ pending, acked, offline, onSend, onTyped }: SendFormProps) {
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const inFlight = useRef<Outgoing | null>(null);

  // The text stays in the input until the server acknowledges it; then it clears, unless the user
  // typed on. A refused one stays, to be sent again.
  useEffect(() => {
    const sent = inFlight.current;
    inFlight.current = pending;
    if (sent && pending === null && acked === sent.ref) setText((current) => (current === sent.text ? '' : current));
  }, [pending, acked]);

  /** Where the caret goes once an inserted emoji is in the input (then the input has the focus). */
  const caret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (caret.current === null || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [text]);

  const insert = (emoji: string) => {
    const field = input.current;
    const at = field?.selectionStart ?? text.length;
    const end = field?.selectionEnd ?? at;
    caret.current = at + emoji.length;
    setText(text.slice(0, at) + emoji + text.slice(end));
  };

  return (
    <form
      class="chat-send"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim() !== '') onSend(text);
      }}
    >
      <label for="chat-text-input" class="visually-hidden">
        Message
      </label>
      <input
        ref={input}
        id="chat-text-input"
        name="text"
        maxLength={MAX_TEXT}
        autoComplete="off"
        placeholder={offline ? 'Sent when reconnected' : 'Say something'}
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          onTyped();
        }}
      />
      <EmojiPicker onPick={insert} />
      <button type="submit" disabled={pending !== null}>
        {pending === null ? 'Send' : offline ? 'Waiting…' : 'Sending…'}
      </button>
    </form>
  );
}
