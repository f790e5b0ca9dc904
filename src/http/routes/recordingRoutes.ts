import type { FastifyInstance } from 'fastify';
import type { AppContext, RoomInfo } from '../AppContext.js';
import type { RecordingRecord } from '../../contracts/records.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';
import { recordingPlaylistUrl } from '../../kit/roomUrls.js';

type NameParams = { Params: { name: string } };
type RecordingParams = { Params: { name: string; id: string } };
type ReplayRequest = RecordingParams & { Querystring: Record<string, unknown> };

/** Messages per page of a recording's chat: by default, and at most. */
export const REPLAY_PAGE = { default: 500, max: 1000 } as const;
/** Message ids are base-36 time, sequence and tag (chat/messageIds.ts): lowercase letters and digits. */
const MESSAGE_ID = /^[0-9a-z]{1,64}$/;

/** `?after=<message id>&limit=<1..1000>` of a recording's chat. */
function replayQuery(query: Record<string, unknown>): { after?: string; limit: number } {
  const unknown = Object.keys(query).find((key) => key !== 'after' && key !== 'limit');
  if (unknown !== undefined) throw new ApiError('BAD_REQUEST', `Unknown query parameter: ${unknown}`);
  const { after, limit } = query;
  if (after !== undefined && (typeof after !== 'string' || !MESSAGE_ID.test(after))) throw new ApiError('BAD_REQUEST', 'after must be a message id (the previous page\'s next)');
  if (limit === undefined) return { after, limit: REPLAY_PAGE.default };
  const count = typeof limit === 'string' && /^[0-9]{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
  if (!(count >= 1 && count <= REPLAY_PAGE.max)) throw new ApiError('BAD_REQUEST', `limit must be a whole number from 1 to ${REPLAY_PAGE.max}`);
  return { after, limit: count };
}

/** The join token of `Authorization: Bearer <token>`, if sent. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header.trim());
  if (!match) throw new ApiError('TOKEN_INVALID', 'The Authorization header must be "Bearer <join token>"');
  return match[1];
}

/** A recording as the API shows it: `url` is its VOD playlist on the room's port. */
function recordingView(recording: RecordingRecord, room: RoomInfo, host: string) {
  const { id, startedAt, endedAt, duration, bytes } = recording;
  return { id, startedAt, endedAt, duration, bytes, url: recordingPlaylistUrl(host, room.port, id) };
}

function roomOf(ctx: AppContext, name: string): RoomInfo {
  const room = ctx.rooms.get(parseRoomName(name));
  if (!room) throw new ApiError('ROOM_NOT_FOUND');
  return room;
}

/** The public API's recordings of a room (docs/api.md): list, newest first, one, and its chat. */
export function registerRecordingRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<NameParams>('/api/v1/room/:name/recordings', async (request) => {
    const room = roomOf(ctx, request.params.name);
    const recordings = await ctx.recordings.list(room.name);
    return { data: recordings.map((recording) => recordingView(recording, room, ctx.config.publicHost)) };
  });

  app.get<RecordingParams>('/api/v1/room/:name/recordings/:id', async (request) => {
    const room = roomOf(ctx, request.params.name);
    return { data: recordingView(await ctx.recordings.get(room.name, request.params.id), room, ctx.config.publicHost) };
  });

  // The chat of a recording, for its replay: a page of messages, oldest first (docs/api.md).
  app.get<ReplayRequest>('/api/v1/room/:name/recordings/:id/messages', async (request) => {
    const room = parseRoomName(request.params.name);
    const query = replayQuery(request.query);
    const token = bearerToken(request.headers.authorization);
    return { data: await ctx.recordingChat.messages(room, request.params.id, { ...query, token }) };
  });
}

/** The admin API deletes one (409 RECORDING_IN_PROGRESS while it is being made: stop the stream first). */
export function registerAdminRecordingRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.delete<RecordingParams>('/api/v1/room/:name/recordings/:id', async (request) => {
    const room = parseRoomName(request.params.name);
    await ctx.recordings.delete(room, request.params.id, 'deleted by an operator');
    return { data: { room, id: request.params.id, message: 'Recording deleted' } };
  });
}
