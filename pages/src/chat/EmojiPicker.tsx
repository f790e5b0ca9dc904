/**
 * A small built-in emoji set behind a button. Keyboard: Enter/Space opens it with the first
 * emoji focused, arrow keys move (a grid of 6 columns), Enter picks (the focus goes to the
 * message, after the emoji), Escape closes (the focus goes back to the button).
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

const EMOJI: ReadonlyArray<readonly [string, string]> = [
  ['😀', 'grinning face'],
  ['😂', 'tears of joy'],
  ['😍', 'heart eyes'],
  ['😮', 'surprised'],
  ['😢', 'crying'],
  ['😡', 'angry'],
  ['👍', 'thumbs up'],
  ['👎', 'thumbs down'],
  ['👏', 'clapping'],
  ['🙏', 'thank you'],
  ['🎉', 'party'],
  ['🔥', 'fire'],
  ['❤️', 'red heart'],
  ['💯', 'hundred'],
  ['👀', 'eyes'],
  ['🤔', 'thinking'],
  ['😎', 'cool'],
  ['👋', 'waving hand'],
];
const COLUMNS = 6;

export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const grid = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    if (open) grid.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (step !== undefined && at >= 0) {
      event.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, at + step))]?.focus();
    }
  };

  return (
    <div class="emoji">
      <button ref={toggle} type="button" class="emoji-toggle" aria-label="Insert emoji" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">😀</span>
      </button>
      {open && (
        <div ref={grid} class="emoji-grid" role="group" aria-label="Emoji" onKeyDown={onKeyDown}>
          {EMOJI.map(([emoji, name]) => (
            <button
              key={emoji}
              type="button"
              aria-label={name}
              title={name}
              onClick={() => {
                // The message input takes the focus, with the caret after the emoji.
                setOpen(false);
                onPick(emoji);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
