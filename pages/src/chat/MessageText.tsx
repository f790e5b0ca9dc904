/** A message's text as text, with safe links (new tab, no opener, no referrer, no preview) and highlighted mentions. */
import { mentions, toRuns } from './richText.ts';

export function MessageText({ text, myName }: { text: string; myName: string | null }) {
  return (
    <span class="chat-text">
      {toRuns(text).map((run, i) => {
        if (run.kind === 'link')
          return (
            <a key={i} href={run.href} rel="noopener noreferrer nofollow" target="_blank">
              {run.text}
            </a>
          );
        if (run.kind === 'mention') return <mark key={i} class={myName !== null && mentions(run.name, myName) ? 'chat-mention chat-mention-me' : 'chat-mention'}>{run.text}</mark>;
        return run.text;
      })}
    </span>
  );
}
