import { z } from 'zod';
import { ApiError } from '../../src/kit/errors.js';
import { ROOM_NAME_PATTERN } from '../../src/kit/roomName.js';

const share = z.number().min(0).max(1);
const count = z.number().int().min(0);
const httpUrl = z.string().max(2048).regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');

/** `POST /api/v1/servers`: who the chat server is and where it answers. */
export const registrationBody = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'ids are 1-128 of A-Z a-z 0-9 . _ : -').optional(),
  url: httpUrl,
  adminUrl: httpUrl,
  host: z.string().min(1).max(255),
  workers: z.number().int().min(1).max(1024),
  version: z.string().min(1).max(64),
});

const text = (max: number) => z.string().max(max);

/** A live room as its server lists it (contracts/lbWire.ts LiveRoom). Not strict, for the reason below. */
const liveRoom = z.object({
  name: z.string().regex(ROOM_NAME_PATTERN),
  title: text(200),
  viewers: count,
  chatUsers: count,
  liveSince: text(40).nullable(),
  thumbnailUrl: httpUrl.nullable(),
  playlistUrl: httpUrl,
  port: z.number().int().min(1).max(65535),
});

/**
 * A room of a heartbeat. Not strict: fields a newer chat server adds are dropped rather than
 * refused, so servers can be upgraded before their load balancers.
 */
const roomReport = z.object({ name: z.string().regex(ROOM_NAME_PATTERN), port: z.number().int().min(1).max(65535), clients: count, live: z.boolean(), listing: liveRoom.optional() });

/** `PUT /api/v1/servers/:id/health`: the heartbeat with the load and the room list. */
export const healthBody = z.strictObject({
  status: z.enum(['available', 'draining']),
  accepting: z.boolean().optional(),
  load: z.strictObject({ cpu: share, memory: share, rooms: count, clients: count }),
  rooms: z.array(roomReport).max(100_000),
});

/** Validates a body against a schema; the first problem becomes a 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ApiError('BAD_REQUEST', issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'The body is invalid');
}
