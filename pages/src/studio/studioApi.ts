/**
 * The server calls of the studio: the room (public API, with its `publish` URLs) and the
 * producer's ingest check on the room port (docs/api.md, "Room port" and "Ingest state").
 */
import type { StreamIngest } from '../../../src/contracts/ingest.ts';
import { ApiError, getJson } from '../lib/api.ts';
import { roomUrl, type RoomInfo } from '../lib/room.ts';
import { PublishRefused } from './publishErrors.ts';

/** Where an encoder publishes to this room; the producer token is the key everywhere. */
export interface PublishUrls {
  rtmp: string;
  rtmpShared: string | null;
  whip: string;
  srt: string | null;
  http: string;
}

export type StudioRoom = RoomInfo & { publish: PublishUrls | null; ingest: StreamIngest | null };

export interface IngestCheck {
  ready: boolean;
  settings: { segmentSeconds: number };
  ingest: StreamIngest | null;
}

export interface RoomHealth {
  live: boolean;
  viewers: number;
  clients: number;
}

/** A room that is gone (404) is a final refusal; the server not answering is not. */
export async function loadStudioRoom(room: string): Promise<StudioRoom> {
  try {
    return await getJson<StudioRoom>(`/api/v1/room/${encodeURIComponent(room)}`, 'The room');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new PublishRefused('The room was closed (it no longer exists)', 404, error.code);
    throw error;
  }
}

export async function checkIngest(port: number, token: string): Promise<IngestCheck> {
  try {
    return await getJson<IngestCheck>(roomUrl(port, `/ingest?token=${encodeURIComponent(token)}`), 'The room port');
  } catch (error) {
    if (error instanceof ApiError && error.status > 0 && error.status < 500) throw new PublishRefused(error.message, error.status, error.code);
    throw error;
  }
}

export function roomHealth(port: number): Promise<RoomHealth> {
  return getJson<RoomHealth>(roomUrl(port, '/health'), 'The room');
}
