// What the room pages share: the room from the URL, its port from the public API, and URLs on
// the room's own port (chat, ingest and HLS live there, on the same host as the page).

export function roomFromPath() {
  return decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
}

/** GET /api/v1/room/:room -> the room (port, live, clients); throws with the API's message. */
export async function loadRoom(room) {
  const response = await fetch(`/api/v1/room/${encodeURIComponent(room)}`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `The room could not be found (${response.status})`);
  return body.data;
}

/** A URL on the room's port: `kind` is 'ws' for WebSockets, 'http' otherwise. */
export function roomUrl(port, path, kind = 'http') {
  const secure = location.protocol === 'https:';
  const scheme = kind === 'ws' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  return `${scheme}://${location.hostname}:${port}${path}`;
}
