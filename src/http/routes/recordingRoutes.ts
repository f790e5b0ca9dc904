import type { FastifyInstance } from 'fastify';
import type { AppContext, RoomInfo } from '../AppContext.js';
import type { RecordingRecord } from '../../contracts/records.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';

type NameParams = { Params: { name: string } };
type RecordingParams = { Params: { name: string; id: string } };

/** A recording as the API shows it: `url` is its VOD playlist on the room's port. */
function recordingView(recording: RecordingRecord, room: RoomInfo, host: string) {
  const { id, startedAt, endedAt, duration, bytes } = recording;
  return { id, startedAt, endedAt, duration, bytes, url: `http://${host}:${room.port}/recordings/${id}/index.m3u8` };
}

function roomOf(ctx: AppContext, name: string): RoomInfo {
  const room = ctx.rooms.get(parseRoomName(name));
  if (!room) throw new ApiError('ROOM_NOT_FOUND');
  return room;
}

/** The public API's recordings of a room (docs/api.md): list, newest first, and one. */
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
}

/** The admin API deletes one (409 RECORDING_IN_PROGRESS while it is being made: stop the stream first). */
export function registerAdminRecordingRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.delete<RecordingParams>('/api/v1/room/:name/recordings/:id', async (request) => {
    const room = parseRoomName(request.params.name);
    await ctx.recordings.delete(room, request.params.id, 'deleted by an operator');
    return { data: { room, id: request.params.id, message: 'Recording deleted' } };
  });
}
