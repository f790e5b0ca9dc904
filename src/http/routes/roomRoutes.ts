import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';
import { parseRoomSettings } from '../roomSettings.js';
import { publicRoomView, roomViewContext } from '../roomViews.js';

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
type NameParams = { Params: { name: string } };

/** Room create / read / delete and the room list (docs/api.md, "Public API"). */
export function registerRoomRoutes(app: FastifyInstance, ctx: AppContext, requireKey: Guard): void {
  app.post<NameParams>('/api/v1/room/:name', { onRequest: requireKey }, async (request, reply) => {
    const name = parseRoomName(request.params.name);
    if (!ctx.rooms.get(name) && !ctx.state.accepting) throw new ApiError('NOT_ACCEPTING');
    const { room, created } = await ctx.rooms.create(name, parseRoomSettings(request.body));
    return reply
      .code(created ? 201 : 200)
      .send({ data: { port: room.port, message: created ? 'Room created' : 'Room already exists' } });
  });

  app.get<NameParams>('/api/v1/room/:name', async (request) => {
    const room = ctx.rooms.get(parseRoomName(request.params.name));
    if (!room) throw new ApiError('ROOM_NOT_FOUND');
    return { data: publicRoomView(room, await roomViewContext(ctx)) };
  });

  app.delete<NameParams>('/api/v1/room/:name', { onRequest: requireKey }, async (request) => {
    const name = parseRoomName(request.params.name);
    if (!(await ctx.rooms.remove(name))) throw new ApiError('ROOM_NOT_FOUND');
    return { data: { name, message: 'Room closed' } };
  });

  app.get('/api/v1/rooms', async () => {
    const context = await roomViewContext(ctx);
    return { data: ctx.rooms.list().map((room) => publicRoomView(room, context)) };
  });
}
