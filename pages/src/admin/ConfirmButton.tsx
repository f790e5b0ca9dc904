/**
 * A button for an action that cannot be undone: the first press asks (in the page, focus on
 * the confirming button), the second does it; Cancel, or Escape, puts the first button back.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Props {
  label: ComponentChildren;
  /** The question, e.g. "Close room alpha? Everyone in it is disconnected." */
  question: string;
  confirmLabel: string;
  onConfirm: () => unknown;
  /** More to ask with the question (a reason field), shown between it and the buttons. */
  extra?: ComponentChildren;
  class?: string;
  id?: string;
  disabled?: boolean;
}

export function ConfirmButton({ label, question, confirmLabel, onConfirm, extra, class: className, id, disabled }: Props) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useLayoutEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) startRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" id={id} class={className} ref={startRef} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question} onKeyDown={(event) => event.key === 'Escape' && setAsking(false)}>
      <span class="confirm-question">{question}</span>
      {extra}
      <button
        type="button"
        class="confirm-yes danger"
        ref={confirmRef}
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="confirm-no" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
