import { ApiError } from './errors.js';

export const ROOM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Returns the name when it is a valid room name; throws INVALID_ROOM_NAME otherwise. */
export function parseRoomName(value: unknown): string {
  if (typeof value !== 'string' || !ROOM_NAME_PATTERN.test(value)) throw new ApiError('INVALID_ROOM_NAME');
  return value;
}
