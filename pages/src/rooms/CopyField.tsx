/** A read-only value (a link, a token) with a button that copies it; the outcome is announced to screen readers. */
import { useState } from 'preact/hooks';

export function CopyField({ id, label, value, link }: { id: string; label: string; value: string; link?: boolean }) {
  const [copied, setCopied] = useState('');
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setCopied('Copied'),
      () => setCopied('Copy failed: select the text and copy it'),
    );
  };
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} type="text" readOnly value={value} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={copy} aria-describedby={`${id}-copied`}>Copy<span class="visually-hidden">{` ${label}`}</span></button>
        {link && <a href={value} target="_blank" rel="noopener noreferrer">Open<span class="visually-hidden">{` ${label}`}</span></a>}
      </div>
      <span id={`${id}-copied`} class="copy-status" role="status">{copied}</span>
    </div>
  );
}
