/** A room's recordings as the pages show them (GET /api/v1/room/:room/recordings, newest first). */
import type { RecordingRecord } from '../../../src/contracts/records.ts';
import { getJson } from './api.ts';

export type Recording = RecordingRecord;

export function loadRecordings(room: string): Promise<Recording[]> {
  return getJson<Recording[]>(`/api/v1/room/${encodeURIComponent(room)}/recordings`, 'The recordings');
}

/** `1:02:03` or `2:03`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatStart(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** The replay page of a recording; a join token goes along (the chat of a room without anonymous viewers needs it). */
export function replayHref(room: string, id: string, token?: string): string {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `/replay/${encodeURIComponent(room)}/${encodeURIComponent(id)}${query}`;
}
