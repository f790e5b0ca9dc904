/** The public API's keyed calls the operator's panel makes (X-API-Key: KEY; docs/api.md). */
import { getJson } from '../lib/api.ts';
import { sessionKey } from '../lib/sessionKey.ts';

/** The public API's KEY, for this tab only. */
export const operatorKey = sessionKey('chatserver-api-key');

function keyed(key: string, method: string, body?: unknown): RequestInit {
  return { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) };
}

export interface CreatedRoom {
  port: number;
  message: string;
}

/** Creates the room (an existing one answers its port, "Room already exists"). */
export function createRoom(key: string, name: string, title: string): Promise<CreatedRoom> {
  const settings = title.trim() === '' ? {} : { settings: { title: title.trim() } };
  return getJson<CreatedRoom>(`/api/v1/room/${encodeURIComponent(name)}`, 'The room', keyed(key, 'POST', settings));
}

export type TokenRole = 'producer' | 'moderator';

export interface JoinToken {
  token: string;
  expiresAt: string;
}

export function mintToken(key: string, room: string, role: TokenRole, ttlSeconds: number): Promise<JoinToken> {
  const user = role === 'producer' ? 'broadcaster' : 'moderator';
  const name = role === 'producer' ? 'Broadcaster' : 'Moderator';
  return getJson<JoinToken>(`/api/v1/room/${encodeURIComponent(room)}/token`, 'The token', keyed(key, 'POST', { user, name, role, ttl: ttlSeconds }));
}
