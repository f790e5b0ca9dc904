/**
 * Tells screen readers about new chat messages, politely and at most once per interval: one
 * message is read out ("Ann says: hello"), a burst is summed up ("12 new messages"). The list
 * itself is not a live region, so a busy chat never floods the reader.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatLine } from './useChat.ts';

const INTERVAL_MS = 3000;

export function Announcer({ lines, myId }: { lines: readonly ChatLine[]; myId: string | undefined }) {
  const [text, setText] = useState('');
  const seen = useRef<string | undefined>(undefined);
  const started = useRef(false);
  const waiting = useRef<ChatLine[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const last = useRef(0);

  useEffect(() => {
    const lastKey = lines.at(-1)?.key;
    if (myId === undefined) return;
    if (!started.current) {
      // The history at join is not news.
      started.current = true;
      seen.current = lastKey;
      return;
    }
    const from = lines.findIndex((line) => line.key === seen.current);
    const fresh = lines.slice(from + 1).filter((line) => line.kind === 'notice' || line.message.user !== myId);
    seen.current = lastKey;
    if (fresh.length === 0) return;
    waiting.current.push(...fresh);
    const flush = () => {
      timer.current = undefined;
      const batch = waiting.current;
      waiting.current = [];
      last.current = Date.now();
      const only = batch[0];
      if (batch.length === 1 && only) setText(only.kind === 'message' ? `${only.message.name} says: ${only.message.text}` : only.text);
      else setText(`${batch.length} new messages`);
    };
    if (timer.current === undefined) timer.current = setTimeout(flush, Math.max(0, last.current + INTERVAL_MS - Date.now()));
  }, [lines, myId]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div class="visually-hidden" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}
