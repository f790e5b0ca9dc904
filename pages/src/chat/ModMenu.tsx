/** A moderator's actions on one user (kick, mute 5 min, ban from the room), behind a button: shown only to moderator tokens. */
import { useRef, useState } from 'preact/hooks';
import type { ModerationAction } from './useChat.ts';

const ACTIONS: ReadonlyArray<readonly [ModerationAction, string]> = [
  ['kick', 'Kick'],
  ['mute', 'Mute 5 min'],
  ['ban', 'Ban'],
];

export function ModMenu({ userId, name, onAction }: { userId: string; name: string; onAction: (action: ModerationAction, user: string) => void }) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <span class="mod" onKeyDown={(event) => event.key === 'Escape' && open && close()}>
      <button ref={toggle} type="button" class="mod-toggle" aria-label={`Moderate ${name}`} aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <span class="mod-actions" role="group" aria-label={`Moderate ${name}`}>
          {ACTIONS.map(([action, label]) => (
            <button
              key={action}
              type="button"
              class={`mod-${action}`}
              onClick={() => {
                onAction(action, userId);
                close();
              }}
            >
              {label}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}
