import { randomBytes } from 'node:crypto';

/**
 * A recording's id: 9 base-36 digits of its start (ms; ids sort by time as strings, like chat
 * message ids) and 4 random hex digits, so two recordings started in the same millisecond by
 * two workers never share a folder. URL-safe, and the only shape the room port serves.
 */
export function newRecordingId(now: number = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(2).toString('hex');
}

export const RECORDING_ID = /^[0-9a-z]{9}[0-9a-f]{4}$/;

export function isRecordingId(value: string): boolean {
  return RECORDING_ID.test(value);
}
