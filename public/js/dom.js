// The one DOM helper the pages share. Text goes in through textContent only, never as HTML.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A player's frame: a muted, inline `<video>` with controls (browsers only autoplay muted video;
 * the controls unmute) and a status line below it. Returns { video, status, bar }.
 */
export function playerFrame(root, statusText) {
  const video = el('video', 'player-video');
  video.controls = true;
  video.muted = true;
  video.playsInline = true;
  const status = el('div', 'player-status', statusText);
  status.setAttribute('role', 'status');
  const bar = el('div', 'player-bar');
  bar.append(status);
  root.replaceChildren(video, bar);
  return { video, status, bar };
}
