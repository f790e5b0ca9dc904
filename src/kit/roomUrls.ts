/**
 * URLs on a room's own port as clients reach it (PUBLIC_HOST), built in one place: the live
 * playlist, thumbnails, recordings and ingest endpoints that the APIs, chat frames, listings and
 * webhooks hand out all agree.
 */
export function roomUrl(host: string, port: number, path: string): string {
  return `http://${host}:${port}${path}`;
}

/** A recording's VOD playlist (served by the room's worker at /recordings/<id>/). */
export function recordingPlaylistUrl(host: string, port: number, id: string): string {
  return roomUrl(host, port, `/recordings/${id}/index.m3u8`);
}
