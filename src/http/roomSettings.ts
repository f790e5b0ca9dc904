import type { RoomSettings } from '../store/records.js';
import { ApiError } from './errors.js';

/** Room settings a site may give at creation, with their types. */
const KNOWN: Record<string, 'boolean'> = {
  /** false: joining needs a token (no anonymous viewers). Default true. */
  anonymous: 'boolean',
};

/** Reads the optional `{"settings":{...}}` body of a room create. */
export function parseRoomSettings(body: unknown): RoomSettings {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BAD_REQUEST', 'The body must be a JSON object');
  const { settings, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ApiError('BAD_REQUEST', `Unknown field: ${extra[0]}`);
  if (settings === undefined) return {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ApiError('BAD_REQUEST', 'settings must be an object');
  const parsed: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(settings)) {
    const type = Object.hasOwn(KNOWN, key) ? KNOWN[key] : undefined;
    if (!type) throw new ApiError('BAD_REQUEST', `Unknown room setting: ${key}`);
    if (typeof value !== type) throw new ApiError('BAD_REQUEST', `settings.${key} must be a ${type}`);
    parsed[key] = value as boolean;
  }
  return parsed;
}
