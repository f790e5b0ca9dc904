import { el } from './dom.js';

// "Stream from OBS or ffmpeg": where an encoder publishes to this room (the room info's
// `publish` URLs, docs/broadcast.md), with the producer token as key. The token stays hidden
// until asked for: it is the key to this room's broadcast.

/** One setting: its label, its value (readonly, selectable) and a Copy button. */
function setting(label, value, secret = false) {
  const row = el('div', 'publish-setting');
  const id = `publish-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const name = el('label', '', label);
  name.htmlFor = id;
  const field = el('input');
  field.id = id;
  field.readOnly = true;
  field.value = value;
  field.type = secret ? 'password' : 'text';
  field.spellcheck = false;
  const copy = el('button', 'publish-copy', 'Copy');
  copy.type = 'button';
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      copy.textContent = 'Copied';
    } catch {
      field.type = 'text';
      field.select();
      copy.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => (copy.textContent = 'Copy'), 2000);
  });
  row.append(name, field, copy);
  if (secret) {
    const reveal = el('button', 'publish-reveal', 'Show');
    reveal.type = 'button';
    reveal.addEventListener('click', () => {
      field.type = field.type === 'password' ? 'text' : 'password';
      reveal.textContent = field.type === 'password' ? 'Show' : 'Hide';
    });
    row.append(reveal);
  }
  return row;
}

function tool(title, ...rows) {
  const group = el('fieldset', 'publish-tool');
  group.append(el('legend', '', title), ...rows);
  return group;
}

/** Fills `container` (a <details>) with the ways in that the server offers for this room. */
export function mountPublishInfo(container, publish, token) {
  if (!publish) return;
  const rtmpServer = publish.rtmpShared ?? publish.rtmp;
  container.append(
    tool('OBS or ffmpeg over RTMP (Service: Custom)', setting('RTMP server', rtmpServer), setting('Stream key', token, true)),
    tool('OBS 30+ over WHIP (Service: WHIP)', setting('WHIP server', publish.whip), setting('Bearer token', token, true)),
  );
  if (publish.srt) container.append(tool('SRT (OBS Custom server, or ffmpeg)', setting('SRT URL', `${publish.srt}?streamid=${token}`, true)));
  const hint = el('p', 'publish-hint', 'Set the keyframe interval to 1 s (OBS: Output → Keyframe Interval; ffmpeg: -g at the frame rate) for the lowest delay.');
  container.append(hint);
  container.hidden = false;
}
