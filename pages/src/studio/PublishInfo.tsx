/**
 * "Stream from OBS or ffmpeg": where an encoder publishes to this room (the room info's
 * `publish` URLs, docs/broadcast.md), with the producer token as key. The token stays hidden
 * until asked for: it is the key to this room's broadcast.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PublishUrls } from './studioApi.ts';

const COPIED_MS = 2_000;

function Setting({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const id = `publish-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const [shown, setShown] = useState(!secret);
  const [copyText, setCopyText] = useState('Copy');
  useEffect(() => {
    if (copyText === 'Copy') return;
    const timer = setTimeout(() => setCopyText('Copy'), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copyText]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopyText('Copied');
    } catch {
      setShown(true);
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopyText('Press Ctrl+C');
    }
  };
  return (
    <div class="publish-setting">
      <label for={id}>{label}</label>
      {/* Two branches: Preact's types take `type` as a literal, and the same <input> is patched in place. */}
      {shown ? <input id={id} readOnly value={value} type="text" spellcheck={false} /> : <input id={id} readOnly value={value} type="password" spellcheck={false} />}
      <button type="button" class="publish-copy" onClick={copy} aria-label={`${copyText}: ${label}`}>
        {copyText}
      </button>
      {secret && (
        <button type="button" class="publish-reveal" onClick={() => setShown(!shown)} aria-pressed={shown} aria-label={`Show ${label}`}>
          {shown ? 'Hide' : 'Show'}
        </button>
      )}
    </div>
  );
}

export function PublishInfo({ publish, token }: { publish: PublishUrls | null; token: string }) {
  if (!publish) return null;
  return (
    <details id="publish-info" class="publish-info">
      <summary>Stream from OBS or ffmpeg instead</summary>
      <fieldset class="publish-tool">
        <legend>OBS or ffmpeg over RTMP (Service: Custom)</legend>
        <Setting label="RTMP server" value={publish.rtmpShared ?? publish.rtmp} />
        <Setting label="Stream key" value={token} secret />
      </fieldset>
      <fieldset class="publish-tool">
        <legend>OBS 30+ over WHIP (Service: WHIP)</legend>
        <Setting label="WHIP server" value={publish.whip} />
        <Setting label="Bearer token" value={token} secret />
      </fieldset>
      {publish.srt && (
        <fieldset class="publish-tool">
          <legend>SRT (OBS Custom server, or ffmpeg)</legend>
          <Setting label="SRT URL" value={`${publish.srt}?streamid=${token}`} secret />
        </fieldset>
      )}
      <p class="publish-hint">
        Set the keyframe interval to 1 s (OBS: Output → Keyframe Interval; ffmpeg: -g at the frame rate) for the lowest delay. OBS reconnects by itself after a server restart (Settings →
        Advanced → Automatically Reconnect).
      </p>
    </details>
  );
}
